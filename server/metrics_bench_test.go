package server_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/netipam/netipam/server"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/store/storetest"
)

// BenchmarkMetricsScrape measures one scrape of /metrics (the usage
// gauges read from the store, the exposition written) on a SQLite store of
// 64 TORs with 1,000,000 allocations, against a reference measured in the
// same run: the one raw query that gives every subnet's use (SELECT
// subnet, COUNT(*) FROM allocations GROUP BY subnet). The scrape reports
// its ratio to the reference as x-raw.
//
//	go test -run '^$' -bench MetricsScrape -benchtime 20x ./server/
func BenchmarkMetricsScrape(b *testing.B) {
	ctx := context.Background()
	url := storetest.SeedFile(b, b.TempDir(), storetest.Bulk{Allocations: 1_000_000})
	st, err := store.Open(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	var raw time.Duration
	b.Run("raw-group-by", func(b *testing.B) {
		start := time.Now()
		for range b.N {
			rows, err := st.Backend().Query(ctx, store.Q(`SELECT subnet, COUNT(*) FROM allocations GROUP BY subnet`))
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for rows.Next() {
				var cidr string
				var used int64
				if err := rows.Scan(&cidr, &used); err != nil {
					b.Fatal(err)
				}
				n++
			}
			if err := rows.Err(); err != nil {
				b.Fatal(err)
			}
			rows.Close()
			if n != storetest.DefaultBulk.SubnetCount() {
				b.Fatalf("%d subnets, want %d", n, storetest.DefaultBulk.SubnetCount())
			}
		}
		raw = time.Since(start) / time.Duration(b.N)
	})
	b.Run("scrape", func(b *testing.B) {
		m := server.NewMetrics(prometheus.NewRegistry(), st)
		h := m.Handler()
		start := time.Now()
		for range b.N {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
			if rec.Code != 200 {
				b.Fatalf("status %d", rec.Code)
			}
		}
		per := time.Since(start) / time.Duration(b.N)
		if raw > 0 {
			b.ReportMetric(float64(per)/float64(raw), "x-raw")
		}
	})
}
