package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/server/api"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

// TestServeConcurrent: 32 goroutines allocate through one socket; no
// address is handed out twice and the table holds exactly what was
// answered.
func TestServeConcurrent(t *testing.T) {
	t.Parallel()
	url, _ := seeded(t)
	s := startServe(t, url)
	const workers, each = 32, 20
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var mu sync.Mutex
	seen := map[netip.Addr]string{}
	var wg sync.WaitGroup
	errc := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				id := fmt.Sprintf("c-%d-%d", w, i)
				got, err := s.client.Allocate(ctx, alloc.Request{Node: "node-01", Family: topo.IPv4,
					Network: "net", Container: id, IfName: "eth0"})
				if err != nil {
					errc <- fmt.Errorf("allocate %s: %w", id, err)
					return
				}
				mu.Lock()
				for _, a := range got {
					if other, dup := seen[a.Address]; dup {
						errc <- fmt.Errorf("%s handed to %s and %s", a.Address, other, id)
					}
					seen[a.Address] = id
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
	node := "node-01"
	rows, err := s.client.Allocations(context.Background(), topo.AllocationFilter{Node: &node})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(seen) || len(rows) != workers*each {
		t.Errorf("table holds %d allocations, answers gave %d, want %d", len(rows), len(seen), workers*each)
	}
	for _, r := range rows {
		if seen[r.Address] != r.Container {
			t.Errorf("table: %s held by %s, answer said %q", r.Address, r.Container, seen[r.Address])
		}
	}
}

// TestServeSIGTERM: a stop in the middle of load answers the requests in
// flight, exits 0, and every answered allocation is in the store.
func TestServeSIGTERM(t *testing.T) {
	url, _ := seeded(t)
	s := startServe(t, url)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var mu sync.Mutex
	answered := map[netip.Addr]bool{}
	var wg sync.WaitGroup
	started := make(chan struct{}, 1000)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 100 {
				got, err := s.client.Allocate(ctx, alloc.Request{Node: "node-01", Family: topo.IPv4,
					Network: "net", Container: fmt.Sprintf("c-%d-%d", w, i), IfName: "eth0"})
				if err != nil {
					if !errors.Is(err, api.ErrUnreachable) && !errors.Is(err, topo.ErrUnavailable) {
						t.Errorf("allocate during the stop: %v", err)
					}
					return
				}
				mu.Lock()
				for _, a := range got {
					answered[a.Address] = true
				}
				mu.Unlock()
				started <- struct{}{}
			}
		}()
	}
	for range 40 { // stop once the load is under way
		select {
		case <-started:
		case <-ctx.Done():
			t.Fatal("no allocation answered in 60s")
		}
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(40 * time.Second):
		t.Fatalf("serve still running 40s after SIGTERM:\n%s", s.stderr)
	}
	wg.Wait()
	if s.code != 0 {
		t.Errorf("serve exited %d after SIGTERM, want 0:\n%s", s.code, s.stderr)
	}
	st, err := store.OpenMode(context.Background(), url, store.ModeReadOnly)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	node := "node-01"
	rows, err := st.Allocations(context.Background(), topo.AllocationFilter{Node: &node})
	if err != nil {
		t.Fatal(err)
	}
	held := map[netip.Addr]bool{}
	for _, r := range rows {
		held[r.Address] = true
	}
	if len(answered) == 0 {
		t.Error("no allocation answered")
	}
	for a := range answered {
		if !held[a] {
			t.Errorf("%s was answered but is not in the store", a)
		}
	}
}
