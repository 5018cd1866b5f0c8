package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/store/storetest"
)

// BenchmarkCheck1M measures store.Check (every invariant but the
// expansion threshold, which reads the subnets only) on a SQLite store
// holding 1,000,000 allocations and their events, next to the reference
// in the same run: SELECT count(*) over allocations. Reports ms per check,
// ms per count and "ratio" (check over count).
//
//	go test ./store/ -run '^$' -bench Check1M -benchtime 3x
func BenchmarkCheck1M(b *testing.B) {
	ctx := context.Background()
	url := storetest.SeedFile(b, seedDir(b), storetest.Bulk{Allocations: 1_000_000, Events: 1_000_000})
	st, err := store.OpenMode(ctx, url, store.ModeReadOnly)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	count := func() time.Duration {
		start := time.Now()
		var n int64
		rows, err := st.Backend().Query(ctx, store.Q(`SELECT count(*) FROM allocations`))
		if err != nil {
			b.Fatal(err)
		}
		for rows.Next() {
			if err := rows.Scan(&n); err != nil {
				b.Fatal(err)
			}
		}
		rows.Close()
		if n != 1_000_000 {
			b.Fatalf("count: %d allocations, want 1000000", n)
		}
		return time.Since(start)
	}
	count() // a warm page cache for both
	b.ResetTimer()
	var check, raw time.Duration
	for range b.N {
		raw += count()
		start := time.Now()
		rep, err := st.Check(ctx)
		check += time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		if len(rep.Problems) != 0 {
			b.Fatalf("check of the seeded store: %d problems, first %+v", len(rep.Problems), rep.Problems[0])
		}
	}
	b.ReportMetric(float64(check.Milliseconds())/float64(b.N), "check-ms")
	b.ReportMetric(float64(raw.Microseconds())/1000/float64(b.N), "count-ms")
	b.ReportMetric(check.Seconds()/raw.Seconds(), "ratio")
}
