package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/store/storetest"
)

// fillEvents writes n allocate/release events to the ledger, one every
// step back from end, over the demo's TORs, in one statement, oldest
// first (the ledger refuses an event dated well before its latest).
func fillEvents(tb testing.TB, st *store.Store, n int, end time.Time, step time.Duration) {
	tb.Helper()
	_, err := st.Backend().Exec(context.Background(), store.Q(`
		WITH RECURSIVE i(x) AS (SELECT ? - 1 UNION ALL SELECT x - 1 FROM i WHERE x > 0)
		INSERT INTO events (at, kind, actor, address, subnet, node_id, tor_id, purpose)
		SELECT strftime('%Y-%m-%dT%H:%M:%S', ? - x * ?, 'unixepoch') || '.000000000Z',
			CASE WHEN x % 4 = 0 THEN 'release' ELSE 'allocate' END, 'bench', '10.244.0.5',
			CASE x % 2 WHEN 0 THEN '10.244.0.0/22' ELSE '10.244.8.0/22' END, 'node-01',
			CASE x % 2 WHEN 0 THEN 'tor-1' ELSE 'tor-2' END, 'default'
		FROM i`, int64(n), end.Unix(), int64(step/time.Second)))
	if err != nil {
		tb.Fatal(err)
	}
}

// TestEventCountsIndexedRange: a forecast's read of the ledger is one
// range of the events_at index, and counts exactly the window's events.
func TestEventCountsIndexedRange(t *testing.T) {
	st, _ := storetest.DemoRecorded(t)
	end := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	fillEvents(t, st, 1000, end, time.Hour) // 1000 hours back
	from, to := end.Add(-7*24*time.Hour), end
	plan, err := storetest.QueryPlan(st.Backend(), store.EventCountsStmt(from, to))
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(plan, " | ")
	if !strings.Contains(joined, "SEARCH events USING INDEX events_at (at>? AND at<?)") || strings.Contains(joined, "SCAN events") {
		t.Fatalf("plan %s: want one range of events_at", joined)
	}
	counts, err := st.EventCounts(context.Background(), from, to)
	if err != nil {
		t.Fatal(err)
	}
	var total, released int64
	for _, c := range counts {
		total += c.N
		if c.Kind == "release" {
			released += c.N
		}
	}
	// Events at end, end-1h, ..., end-167h: 168 of them (end-168h is out).
	if total != 168 || released != 42 {
		t.Fatalf("counted %d events, %d releases; want 168 and 42: %+v", total, released, counts)
	}
}

// BenchmarkEventCounts: a 7-day window of a 1M-event ledger spread over
// 115 days (about 6% of it) beside a count(*) of the whole ledger, the
// reference; the window's cost follows its events, not the ledger's.
func BenchmarkEventCounts(b *testing.B) {
	st, _ := storetest.DemoRecorded(b)
	end := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	fillEvents(b, st, 1_000_000, end, 10*time.Second)
	ctx := context.Background()
	b.Run("window-7d", func(b *testing.B) {
		for b.Loop() {
			if _, err := st.EventCounts(ctx, end.Add(-7*24*time.Hour), end); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("count-reference", func(b *testing.B) {
		for b.Loop() {
			var n int64
			rows, err := st.Backend().Query(ctx, store.Q(`SELECT COUNT(*) FROM events`))
			if err != nil {
				b.Fatal(err)
			}
			for rows.Next() {
				if err := rows.Scan(&n); err != nil {
					b.Fatal(err)
				}
			}
			rows.Close()
			if n < 1_000_000 {
				b.Fatal(fmt.Sprint("ledger holds ", n))
			}
		}
	})
}
