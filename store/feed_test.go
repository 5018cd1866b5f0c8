package store_test

import (
	"context"
	"net/netip"
	"strings"
	"testing"

	"github.com/netipam/netipam/store/storetest"
	"github.com/netipam/netipam/topo"
)

// TestEventsAfter: the feed gives exactly the events after an ID, in
// order, at most limit, and reads them by the primary key.
func TestEventsAfter(t *testing.T) {
	ctx := context.Background()
	st := openSQLiteStore(t)
	twoTORs(t, st)
	from, err := st.LastEventID(ctx)
	if err != nil || from == 0 {
		t.Fatalf("last event id %d %v, want the topology's events", from, err)
	}
	if err := st.InsertAllocations(ctx, []topo.Allocation{onTORa("10.0.0.5"), onTORa("10.0.0.6")}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Release(ctx, topo.AllocationFilter{Addresses: []netip.Addr{netip.MustParseAddr("10.0.0.5")}},
		"release"); err != nil {
		t.Fatal(err)
	}
	evs, err := st.EventsAfter(ctx, from, 2)
	if err != nil || len(evs) != 2 || evs[0].ID != from+1 || evs[1].ID != from+2 || evs[0].Kind != "allocate" {
		t.Fatalf("EventsAfter(%d, 2) = %+v %v, want the two allocate events", from, evs, err)
	}
	var got []string
	last, err := st.AllocationChanges(ctx, from, 10, func(kind string, p netip.Prefix, a netip.Addr) {
		got = append(got, kind+" "+p.String()+" "+a.String())
	})
	want := []string{"allocate 10.0.0.0/20 10.0.0.5", "allocate 10.0.0.0/20 10.0.0.6", "release 10.0.0.0/20 10.0.0.5"}
	if err != nil || last != from+3 || strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("AllocationChanges = %q last %d %v, want %q last %d", got, last, err, want, from+3)
	}
	if n, err := st.LastEventID(ctx); err != nil || n != last {
		t.Fatalf("last event id %d %v, want %d", n, err, last)
	}
	// Nothing after the last: the same ID back.
	if l2, err := st.AllocationChanges(ctx, last, 10, func(string, netip.Prefix, netip.Addr) { t.Error("an event past the last") }); err != nil || l2 != last {
		t.Fatalf("after the last: %d %v", l2, err)
	}
}

// TestFeedQueryPlans: the feed's reads search the events table by its
// primary key, whatever the ledger's size.
func TestFeedQueryPlans(t *testing.T) {
	ctx := context.Background()
	st, rec := storetest.DemoRecorded(t)
	if _, err := st.LastEventID(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := st.EventsAfter(ctx, 1, 10); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AllocationChanges(ctx, 1, 10, func(string, netip.Prefix, netip.Addr) {}); err != nil {
		t.Fatal(err)
	}
	stmts := rec.Take()
	if len(stmts) != 3 {
		t.Fatalf("%d statements recorded, want 3", len(stmts))
	}
	for _, s := range stmts {
		plan, err := storetest.QueryPlan(rec.Backend, s)
		if err != nil {
			t.Fatal(err)
		}
		p := strings.Join(plan, " | ")
		if strings.Contains(p, "SCAN") || !strings.Contains(p, "SEARCH events") {
			t.Errorf("%s\nplan: %s, want a search of events by its primary key", s.SQL, p)
		}
	}
}
