package store_test

import (
	"context"
	"fmt"
	"net/netip"
	"path/filepath"
	"testing"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

// BenchmarkDurableAlloc measures durable allocations per second through the
// CLI's code path (alloc.Allocator over the store: pick from the pool, one
// atomic batch with the allocation and its event, fsync) against the floor
// on the same file: a plain single-row INSERT, each its own transaction.
// The ratio netipam/plain is what `make bench` reports.
func BenchmarkDurableAlloc(b *testing.B) {
	ctx := context.Background()
	open := func(b *testing.B) *store.Store {
		st, err := store.Open(ctx, "sqlite://"+filepath.Join(b.TempDir(), "bench.db"))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { st.Close() })
		return st
	}
	b.Run("plain-insert", func(b *testing.B) {
		st := open(b)
		db := st.Backend()
		if _, err := db.Exec(ctx, store.Q(`CREATE TABLE plain (address TEXT PRIMARY KEY, node TEXT NOT NULL)`)); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := db.Exec(ctx, store.Q(`INSERT INTO plain (address, node) VALUES (?, ?)`, fmt.Sprint(i), "n1")); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "allocs/s")
	})
	b.Run("netipam-alloc", func(b *testing.B) {
		st := open(b)
		p := netip.MustParsePrefix("10.0.0.0/12") // room for any b.N
		t := &topo.Topology{Zones: []topo.Zone{{ID: "z", CIDRs: []netip.Prefix{p}, Pods: []topo.Pod{{ID: "p", CIDRs: []netip.Prefix{p}, TORs: []topo.TOR{{ID: "t",
			Subnets: []topo.Subnet{{CIDR: p, Purpose: "default", Gateway: topo.DefaultGateway(p)}}}}}}}}}
		if err := st.ApplyTopology(ctx, t, false, "bench"); err != nil {
			b.Fatal(err)
		}
		if err := st.UpsertNodes(ctx, []topo.Node{{ID: "n1", TOR: "t"}}); err != nil {
			b.Fatal(err)
		}
		al := alloc.NewAllocator(st)
		req := alloc.Request{Node: "n1"}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := al.Allocate(ctx, req); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "allocs/s")
	})
}
