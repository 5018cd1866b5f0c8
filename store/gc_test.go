package store_test

import (
	"context"
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/store/storetest"
	"github.com/netipam/netipam/topo"
)

// TestApplyGCReleasesOnlyWhatItWasTold: the batch, not the plan, decides.
// A release is refused for an allocation handed out again since its mark,
// for one never marked (made while the run read), for one younger than the
// cutoff; a report (Exact) with one entry that no longer matches releases
// nothing at all.
func TestApplyGCReleasesOnlyWhatItWasTold(t *testing.T) {
	st, rec := storetest.DemoRecorded(t)
	testApplyGC(t, st, rec)
}

// TestApplyGCOnRqlite is the same on a real 3-node rqlite cluster.
func TestApplyGCOnRqlite(t *testing.T) {
	st := clusterDemo(t)
	testApplyGC(t, st, nil)
}

// testApplyGC runs the gc batch cases on st; rec, when set, records the
// statements for their query plans.
func testApplyGC(t *testing.T, st *store.Store, rec *storetest.Recorder) {
	ctx := context.Background()
	indexed := func(what string) {
		if rec != nil {
			storetest.AssertIndexed(t, st.Backend(), what, rec.Take())
		}
	}
	take := func() {
		if rec != nil {
			rec.Take()
		}
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(d time.Duration) { st.Now = func() time.Time { return t0.Add(d) } }
	get := func(container string) topo.Allocation {
		t.Helper()
		as, err := st.Owned(ctx, topo.Attachment{Network: "net", Container: container, IfName: "eth0"})
		if err != nil || len(as) != 1 {
			t.Fatalf("owned by %s: %+v %v", container, as, err)
		}
		return as[0]
	}
	allocate := func(container string, ip string) {
		t.Helper()
		req := alloc.Request{Node: "node-01", Network: "net", Container: container, IfName: "eth0", Family: topo.IPv4}
		if ip != "" {
			req.IPs = []netip.Addr{netip.MustParseAddr(ip)}
		}
		if _, err := alloc.NewOneShotAllocator(st).Allocate(ctx, req); err != nil {
			t.Fatal(err)
		}
	}
	at(0)
	allocate("reborn", "10.244.0.20")
	allocate("leaked", "10.244.0.21")
	old := get("reborn")
	take()
	if _, err := st.ApplyGC(ctx, store.GCBatch{Run: "r1", Node: "node-01", Source: "live", Cutoff: t0,
		Marks: []store.GCMark{{Allocation: old, MissingSince: t0}, {Allocation: get("leaked"), MissingSince: t0}}}); err != nil {
		t.Fatal(err)
	}
	indexed("gc mark")
	// Released and handed out again to the same attachment, at the same
	// address: a new allocation, which the old mark does not cover.
	at(time.Minute)
	if _, err := st.Release(ctx, topo.OwnedBy("node-01", old.Attachment()), "release"); err != nil {
		t.Fatal(err)
	}
	allocate("reborn", "10.244.0.20")
	allocate("unmarked", "10.244.0.22")
	at(30 * time.Minute)
	cutoff := t0.Add(15 * time.Minute)
	stale := old // what a run that read before the re-allocation would hold
	take()
	got, err := st.ApplyGC(ctx, store.GCBatch{Run: "r2", Node: "node-01", Source: "live", Marked: true, Cutoff: cutoff,
		Release: []topo.Allocation{stale, get("reborn"), get("unmarked"), get("leaked")}})
	if err != nil {
		t.Fatal(err)
	}
	indexed("gc release")
	if len(got) != 1 || got[0].Container != "leaked" {
		t.Fatalf("released %+v, want the leaked allocation only", got)
	}
	evs, err := st.Events(ctx, store.EventFilter{Kind: "gc"})
	if err != nil || len(evs) != 1 || evs[0].Detail != "gc:r2" || evs[0].Address != "10.244.0.21" {
		t.Fatalf("gc events %+v %v, want one for 10.244.0.21 naming run r2", evs, err)
	}
	// Younger than the cutoff: never, even from a report.
	allocate("young", "10.244.0.23")
	_, err = st.ApplyGC(ctx, store.GCBatch{Run: "r3", Node: "node-01", Source: "report", Exact: true,
		Cutoff: t0.Add(15 * time.Minute), Release: []topo.Allocation{get("unmarked"), get("young")}})
	if !errors.Is(err, topo.ErrConflict) {
		t.Fatalf("report with a young allocation: %v, want a conflict", err)
	}
	for _, c := range []string{"unmarked", "young", "reborn"} {
		get(c) // still held
	}
	cands, err := st.GCCandidates(ctx, "node-01")
	if err != nil || len(cands) != 0 {
		t.Fatalf("candidates left %+v %v: the re-allocated one's mark and the released one's are gone", cands, err)
	}
}
