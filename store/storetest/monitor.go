package storetest

import (
	"fmt"
	"testing"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

// MonitorTORs gives every TOR with its pod and zone, never the pools'
// owner rows, and counts each TOR's gc candidates: two of n1's containers
// marked missing count for t1, none for t2.
func testMonitorTORs(t *testing.T, st *store.Store) {
	if err := st.ApplyTopology(ctx, levelsFixture(), false, "levels"); err != nil {
		t.Fatalf("apply: %v", err)
	}
	if err := st.UpsertNodes(ctx, []topo.Node{{ID: "n1", TOR: "t1"}, {ID: "n2", TOR: "t2"}}); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := alloc.NewOneShotAllocator(st).Allocate(ctx, alloc.Request{Node: "n1", Network: "net",
			Container: fmt.Sprintf("c%d", i), IfName: "eth0", Family: topo.IPv4}); err != nil {
			t.Fatal(err)
		}
	}
	n1 := "n1"
	held, err := st.Allocations(ctx, topo.AllocationFilter{Node: &n1}) // as stored: the marks match them
	if err != nil || len(held) != 3 {
		t.Fatalf("n1 holds %v, %v: want 3", held, err)
	}
	var marks []store.GCMark
	for _, a := range held[1:] {
		marks = append(marks, store.GCMark{Allocation: a, MissingSince: st.Now()})
	}
	if _, err := st.ApplyGC(ctx, store.GCBatch{Run: "r1", Node: "n1", Source: "live", Marks: marks}); err != nil {
		t.Fatal(err)
	}
	got, err := st.MonitorTORs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.TORMonitor{{TOR: "t1", Pod: "p1", Zone: "z1", GCCandidates: 2}, {TOR: "t2", Pod: "p1", Zone: "z1"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("MonitorTORs = %+v, want %+v (no pool owners)", got, want)
	}
}
