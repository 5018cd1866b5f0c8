package store_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

// smallTOR gives TOR ts with one /27 (29 addresses to hand out: not the
// network, broadcast and gateway addresses) and its node ns.
func smallTOR(t testing.TB, st *store.Store) topo.Subnet {
	t.Helper()
	ctx := context.Background()
	z := netip.MustParsePrefix("10.0.0.0/8")
	s := topo.Subnet{CIDR: netip.MustParsePrefix("10.9.0.0/27"), Purpose: "default"}
	s.Gateway = topo.DefaultGateway(s.CIDR)
	tp := &topo.Topology{Zones: []topo.Zone{{ID: "z", CIDRs: []netip.Prefix{z}, Pods: []topo.Pod{{ID: "p",
		CIDRs: []netip.Prefix{z}, TORs: []topo.TOR{{ID: "ts", Subnets: []topo.Subnet{s}}}}}}}}
	if err := st.ApplyTopology(ctx, tp, false, "test"); err != nil {
		t.Fatal(err)
	}
	if err := st.UpsertNodes(ctx, []topo.Node{{ID: "ns", TOR: "ts"}}); err != nil {
		t.Fatal(err)
	}
	return s
}

const smallCapacity = 29

// countingLedger counts the allocator's reads of held addresses: what
// tells a pool freed by the feed from one rebuilt before "exhausted".
type countingLedger struct {
	*store.GroupCommitter
	held atomic.Int64
}

func (l *countingLedger) Held(ctx context.Context, s []netip.Prefix, fn func(netip.Prefix, netip.Addr)) error {
	l.held.Add(1)
	return l.GroupCommitter.Held(ctx, s, fn)
}

// server is a long-lived allocator as netipam serve runs it: a group
// committer, every pool loaded, the ledger followed.
type server struct {
	gc     *store.GroupCommitter
	ledger *countingLedger
	a      *alloc.Allocator
}

func startServer(t testing.TB, st *store.Store, subnets []topo.Subnet, follow bool) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	gc := store.NewGroupCommitter(st, store.GroupOptions{})
	l := &countingLedger{GroupCommitter: gc}
	a := alloc.NewAllocator(l)
	from, err := st.LastEventID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.LoadAll(ctx, subnets); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	if follow {
		go func() {
			defer close(done)
			a.Follow(ctx, st, from, 5*time.Millisecond, func(err error) { t.Logf("follow: %v", err) })
		}()
	} else {
		close(done)
	}
	t.Cleanup(func() { cancel(); <-done; gc.Close() })
	return &server{gc: gc, ledger: l, a: a}
}

// release frees an address through the server, as its API does.
func (s *server) release(ctx context.Context, a netip.Addr) error {
	freed, err := s.gc.Release(ctx, topo.AllocationFilter{Addresses: []netip.Addr{a}}, "release")
	s.a.Forget(freed)
	return err
}

// TestFollowReleasesElsewhere: a server fills a subnet; another store on
// the same file (the CLI) releases five addresses; the server hands out
// exactly those five again: with the feed, without rereading its pool;
// without a feed, by rereading it once before it would say "exhausted".
func TestFollowReleasesElsewhere(t *testing.T) {
	for _, follow := range []bool{true, false} {
		t.Run(fmt.Sprintf("follow=%v", follow), func(t *testing.T) {
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "netipam.db")
			st, err := store.Open(ctx, "sqlite://"+path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			s := startServer(t, st, []topo.Subnet{smallTOR(t, st)}, follow)
			var got []netip.Addr
			for range smallCapacity {
				out, err := s.a.Allocate(ctx, alloc.Request{Node: "ns"})
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, out[0].Address)
			}
			if _, err := s.a.Allocate(ctx, alloc.Request{Node: "ns"}); !errors.Is(err, topo.ErrExhausted) {
				t.Fatalf("a full subnet: %v, want exhausted", err)
			}
			cli, err := store.Open(ctx, "sqlite://"+path)
			if err != nil {
				t.Fatal(err)
			}
			defer cli.Close()
			freed := map[netip.Addr]bool{}
			for _, a := range got[3:8] {
				if _, err := cli.Release(ctx, topo.AllocationFilter{Addresses: []netip.Addr{a}}, "release"); err != nil {
					t.Fatal(err)
				}
				freed[a] = true
			}
			if follow {
				last, err := cli.LastEventID(ctx)
				if err != nil {
					t.Fatal(err)
				}
				for deadline := time.Now().Add(10 * time.Second); s.a.FeedPosition() < last; {
					if time.Now().After(deadline) {
						t.Fatalf("the feed is at %d after 10 s, the ledger at %d", s.a.FeedPosition(), last)
					}
					time.Sleep(2 * time.Millisecond)
				}
			}
			reads := s.ledger.held.Load()
			for range 5 {
				out, err := s.a.Allocate(ctx, alloc.Request{Node: "ns"})
				if err != nil {
					t.Fatalf("after 5 releases elsewhere: %v", err)
				}
				if !freed[out[0].Address] {
					t.Fatalf("handed out %s, not one of the released %v", out[0].Address, freed)
				}
				delete(freed, out[0].Address)
			}
			if n := s.ledger.held.Load() - reads; follow && n != 0 {
				t.Errorf("%d pool reads with the feed, want none (the feed freed the addresses)", n)
			}
			if _, err := s.a.Allocate(ctx, alloc.Request{Node: "ns"}); !errors.Is(err, topo.ErrExhausted) {
				t.Fatalf("full again: %v, want exhausted", err)
			}
		})
	}
}

// TestTwoServersRqlite: two servers on one 3-node rqlite cluster, each
// through another member, under concurrent allocate/release load that
// never holds more than the subnet has: no "exhausted", and the ledger
// shows no address allocated twice without a release between.
func TestTwoServersRqlite(t *testing.T) {
	c := startCluster(t, 3)
	ctx := context.Background()
	var servers []*server
	var subnet topo.Subnet
	for i := range 2 {
		st, err := store.Open(ctx, rotated(c, i))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		if i == 0 {
			subnet = smallTOR(t, st)
		}
		servers = append(servers, startServer(t, st, []topo.Subnet{subnet}, true))
	}
	const workers, rounds = 6, 30 // 2 x 6 x 2 = 24 held at most, of 29
	var wg sync.WaitGroup
	var fails atomic.Int64
	for w := range 2 * workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := servers[w%2]
			for range rounds {
				out, err := s.a.Allocate(ctx, alloc.Request{Node: "ns", Count: 2})
				if err != nil {
					t.Errorf("worker %d: %v", w, err)
					fails.Add(1)
					return
				}
				for _, x := range out {
					if err := s.release(ctx, x.Address); err != nil {
						t.Errorf("worker %d: release: %v", w, err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	st := servers[0].gc.Store
	evs, err := st.Events(ctx, store.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	held := map[string]bool{}
	allocs := 0
	for _, e := range evs {
		switch e.Kind {
		case "allocate":
			if held[e.Address] {
				t.Errorf("%s allocated twice (event %d)", e.Address, e.ID)
			}
			held[e.Address] = true
			allocs++
		case "release", "gc":
			held[e.Address] = false
		}
	}
	if want := 2 * workers * rounds * 2; fails.Load() == 0 && allocs != want {
		t.Errorf("%d allocations in the ledger, want %d", allocs, want)
	}
}
