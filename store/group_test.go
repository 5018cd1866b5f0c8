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

var _ alloc.Ledger = (*store.GroupCommitter)(nil)
var _ alloc.Feed = (*store.Store)(nil)

// twoTORs gives the topology of the group tests: TOR ta with subnet
// 10.0.0.0/20 (node na), TOR tb with 10.1.0.0/20 (node nb).
func twoTORs(t testing.TB, st *store.Store) {
	t.Helper()
	ctx := context.Background()
	z := netip.MustParsePrefix("10.0.0.0/8")
	sa, sb := netip.MustParsePrefix("10.0.0.0/20"), netip.MustParsePrefix("10.1.0.0/20")
	tp := &topo.Topology{Zones: []topo.Zone{{ID: "z", CIDRs: []netip.Prefix{z}, Pods: []topo.Pod{{ID: "p",
		CIDRs: []netip.Prefix{z}, TORs: []topo.TOR{
			{ID: "ta", Subnets: []topo.Subnet{{CIDR: sa, Purpose: "default", Gateway: topo.DefaultGateway(sa)}}},
			{ID: "tb", Subnets: []topo.Subnet{{CIDR: sb, Purpose: "default", Gateway: topo.DefaultGateway(sb)}}},
		}}}}}}
	if err := st.ApplyTopology(ctx, tp, false, "test"); err != nil {
		t.Fatal(err)
	}
	if err := st.UpsertNodes(ctx, []topo.Node{{ID: "na", TOR: "ta"}, {ID: "nb", TOR: "tb"}}); err != nil {
		t.Fatal(err)
	}
}

func openSQLiteStore(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), "sqlite://"+filepath.Join(t.TempDir(), "netipam.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func onTORa(ip string) topo.Allocation {
	return topo.Allocation{Address: netip.MustParseAddr(ip), Subnet: netip.MustParsePrefix("10.0.0.0/20"),
		Purpose: "default", Node: "na", TOR: "ta"}
}

// testGroupCommit: 64 concurrent callers through one GroupCommitter, 48
// inserting a fresh address, 8 releasing an address each, 4 asking for an
// address already held and 4 for an address of another TOR. Every caller
// gets its own answer, the failures fail alone, the writes went in fewer
// batches than callers, and the table and the ledger agree.
func testGroupCommit(t *testing.T, st *store.Store) {
	ctx := context.Background()
	twoTORs(t, st)
	// Held before: 10.0.1.0-7 (to release), 10.0.2.1 (the duplicate).
	pre := []topo.Allocation{onTORa("10.0.2.1")}
	for i := range 8 {
		pre = append(pre, onTORa(fmt.Sprintf("10.0.1.%d", i)))
	}
	if err := st.InsertAllocations(ctx, pre); err != nil {
		t.Fatal(err)
	}
	var batches, maxGroup, splits atomic.Int64
	g := store.NewGroupCommitter(st, store.GroupOptions{
		OnBatch: func(requests, _ int, _ time.Duration) {
			batches.Add(1)
			for {
				m := maxGroup.Load()
				if int64(requests) <= m || maxGroup.CompareAndSwap(m, int64(requests)) {
					break
				}
			}
		},
		OnSplit: func(int) { splits.Add(1) },
	})
	t.Cleanup(func() { g.Close() })

	const callers = 64
	errs := make([]error, callers)
	freed := make([][]topo.Allocation, callers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			switch {
			case i < 48:
				errs[i] = g.InsertAllocations(ctx, []topo.Allocation{onTORa(fmt.Sprintf("10.0.0.%d", 10+i))})
			case i < 56:
				a := netip.MustParseAddr(fmt.Sprintf("10.0.1.%d", i-48))
				freed[i], errs[i] = g.Release(ctx, topo.AllocationFilter{Addresses: []netip.Addr{a}}, "release")
			case i < 60:
				errs[i] = g.InsertAllocations(ctx, []topo.Allocation{onTORa("10.0.2.1")})
			default: // tb's subnet and address, claimed for ta's node
				x := onTORa(fmt.Sprintf("10.1.0.%d", i))
				x.Subnet = netip.MustParsePrefix("10.1.0.0/20")
				errs[i] = g.InsertAllocations(ctx, []topo.Allocation{x})
			}
		}()
	}
	close(start)
	wg.Wait()

	for i, err := range errs {
		switch {
		case i < 56 && err != nil:
			t.Errorf("caller %d: %v, want success", i, err)
		case i >= 56 && !errors.Is(err, topo.ErrConflict):
			t.Errorf("caller %d: %v, want its own conflict", i, err)
		}
	}
	for i := 48; i < 56; i++ {
		want := fmt.Sprintf("10.0.1.%d", i-48)
		if len(freed[i]) != 1 || freed[i][0].Address.String() != want {
			t.Errorf("caller %d freed %+v, want %s alone", i, freed[i], want)
		}
	}
	if n := batches.Load(); n >= callers {
		t.Errorf("%d batches for %d callers: nothing was grouped", n, callers)
	}
	t.Logf("%d batches, largest group %d, %d splits", batches.Load(), maxGroup.Load(), splits.Load())

	held, err := st.Allocations(ctx, topo.AllocationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[netip.Addr]bool{}
	for _, a := range held {
		if seen[a.Address] {
			t.Errorf("%s held twice", a.Address)
		}
		seen[a.Address] = true
	}
	if len(held) != 48+1 {
		t.Errorf("%d allocations held, want 49", len(held))
	}
	for i := range 48 {
		if a := netip.MustParseAddr(fmt.Sprintf("10.0.0.%d", 10+i)); !seen[a] {
			t.Errorf("%s not held", a)
		}
	}
	evs, err := st.Events(ctx, store.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	// The ledger agrees with the table: replaying it gives what is held.
	state := map[string]int{}
	for _, e := range evs {
		switch e.Kind {
		case "allocate":
			state[e.Address]++
		case "release", "gc":
			state[e.Address]--
		}
	}
	for addr, n := range state {
		a := netip.MustParseAddr(addr)
		if (n == 1) != seen[a] || n < 0 || n > 1 {
			t.Errorf("ledger says %s held %d times, table says %v", addr, n, seen[a])
		}
	}
}

func TestGroupCommitSQLite(t *testing.T) { testGroupCommit(t, openSQLiteStore(t)) }

func TestGroupCommitRqlite(t *testing.T) {
	c := startCluster(t, 3)
	st, err := store.Open(context.Background(), c.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	testGroupCommit(t, st)
}

// TestGroupCommitClosed: after Close a caller is refused as unavailable,
// and nothing is written; a caller whose context ends is answered at once.
func TestGroupCommitClosed(t *testing.T) {
	ctx := context.Background()
	st := openSQLiteStore(t)
	twoTORs(t, st)
	g := store.NewGroupCommitter(st, store.GroupOptions{})
	if err := g.InsertAllocations(ctx, []topo.Allocation{onTORa("10.0.0.5")}); err != nil {
		t.Fatal(err)
	}
	g.Close()
	err := g.InsertAllocations(ctx, []topo.Allocation{onTORa("10.0.0.6")})
	if !errors.Is(err, topo.ErrUnavailable) || !errors.Is(err, store.ErrClosed) {
		t.Fatalf("after Close: %v, want unavailable (closed)", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := g.InsertAllocations(cctx, []topo.Allocation{onTORa("10.0.0.7")}); !errors.Is(err, topo.ErrUnavailable) {
		t.Fatalf("cancelled: %v, want unavailable", err)
	}
	held, err := st.Allocations(ctx, topo.AllocationFilter{})
	if err != nil || len(held) != 1 || held[0].Address != netip.MustParseAddr("10.0.0.5") {
		t.Fatalf("held %+v %v, want 10.0.0.5 alone", held, err)
	}
}
