package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/store/storetest"
	"github.com/netipam/netipam/topo"
)

// TestLedgerRefusesOldEvent: the schema refuses an event dated more than 5
// minutes before the ledger's latest (migration 0009), whoever writes it,
// and the allocation that goes with it is not written; within the skew it
// is accepted. The trigger's read of the latest time is one seek of the
// events_at index.
func TestLedgerRefusesOldEvent(t *testing.T) {
	st, _ := storetest.DemoRecorded(t)
	testLedgerOrder(t, st)
	plan, err := storetest.QueryPlan(st.Backend(), store.Q(`SELECT MAX(at) FROM events`))
	if err != nil {
		t.Fatal(err)
	}
	if joined := strings.Join(plan, " | "); !strings.Contains(joined, "USING COVERING INDEX events_at") ||
		strings.Contains(joined, "SCAN") {
		t.Fatalf("plan of the trigger's MAX(at): %s, want a seek of events_at", joined)
	}
}

// TestLedgerRefusesOldEventOnRqlite is the same on a real 3-node rqlite
// cluster: the rule reads stored values only, no clock.
func TestLedgerRefusesOldEventOnRqlite(t *testing.T) {
	st := clusterDemo(t)
	testLedgerOrder(t, st)
}

func testLedgerOrder(t *testing.T, st *store.Store) {
	ctx := context.Background()
	t0 := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	allocate := func(at time.Time, container string) error {
		st.Now = func() time.Time { return at }
		_, err := alloc.NewOneShotAllocator(st).Allocate(ctx, alloc.Request{Node: "node-01", Network: "net",
			Container: container, IfName: "eth0", Family: topo.IPv4})
		return err
	}
	count := func(q string) int64 {
		var n int64
		rows, err := st.Backend().Query(ctx, store.Q(q))
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := rows.Scan(&n); err != nil {
				t.Fatal(err)
			}
		}
		return n
	}
	if err := allocate(t0, "now"); err != nil {
		t.Fatal(err)
	}
	if err := allocate(t0.Add(-4*time.Minute), "skewed"); err != nil {
		t.Fatalf("an event 4 minutes before the latest: %v, want it accepted (within the skew)", err)
	}
	events, allocs := count(`SELECT COUNT(*) FROM events`), count(`SELECT COUNT(*) FROM allocations`)
	err := allocate(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Hour), "back-dated")
	if !errors.Is(err, topo.ErrInvalid) || !strings.Contains(err.Error(), "5 minutes before the latest event") {
		t.Fatalf("an event dated years before the latest: %v, want refused (invalid) naming the rule", err)
	}
	if err := allocate(t0.Add(-6*time.Minute), "back-dated-2"); !errors.Is(err, topo.ErrInvalid) {
		t.Fatalf("an event 6 minutes before the latest: %v, want refused", err)
	}
	if e, a := count(`SELECT COUNT(*) FROM events`), count(`SELECT COUNT(*) FROM allocations`); e != events || a != allocs {
		t.Fatalf("after refusals: %d events, %d allocations; want %d and %d (nothing written)", e, a, events, allocs)
	}
}

// TestArchiveMeasuresFromLedger: a caller whose clock is a year ahead
// cannot archive (delete) events minutes old: "30 days" is measured from
// the ledger's latest event, in Go and in the schema.
func TestArchiveMeasuresFromLedger(t *testing.T) {
	ctx := context.Background()
	st, _ := storetest.DemoRecorded(t)
	t0 := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	for i, c := range []string{"a", "b", "c"} {
		st.Now = func() time.Time { return t0.Add(time.Duration(i) * time.Minute) }
		if _, err := alloc.NewOneShotAllocator(st).Allocate(ctx, alloc.Request{Node: "node-01", Network: "net",
			Container: c, IfName: "eth0", Family: topo.IPv4}); err != nil {
			t.Fatal(err)
		}
	}
	ahead := t0.Add(365 * 24 * time.Hour)
	st.Now = func() time.Time { return ahead }
	file := filepath.Join(t.TempDir(), "events.jsonl")
	_, err := st.ArchiveEvents(ctx, ahead.Add(-31*24*time.Hour), file)
	if !errors.Is(err, topo.ErrInvalid) || !strings.Contains(err.Error(), "latest event") {
		t.Fatalf("archive with a clock a year ahead: %v, want refused, measured from the ledger's latest event", err)
	}
	// The schema itself: an archive row whose own time is a year ahead
	// may not cut later than the ledger's latest less 30 days.
	_, err = st.Backend().Exec(ctx, store.Q(`INSERT INTO event_archives (at, before, through_id) VALUES (?, ?, 1)`,
		ahead.Format(time.RFC3339Nano), t0.Format(time.RFC3339Nano)))
	if err == nil || !strings.Contains(err.Error(), "30 days older than the latest event") {
		t.Fatalf("event_archives row cutting at the ledger's latest event: %v, want refused by the schema", err)
	}
	var n int64
	rows, err := st.Backend().Query(ctx, store.Q(`SELECT COUNT(*) FROM events WHERE at >= ?`, "2026"))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
	}
	if n != 3 {
		t.Fatalf("%d events of the allocations left, want 3 (none archived)", n)
	}
}
