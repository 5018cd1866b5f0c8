package store_test

import (
	"context"
	"fmt"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

// benchWorkers is the concurrency of the cluster benchmarks: as many
// concurrent callers as the cluster tests in e2e/ run processes.
const benchWorkers = 8

// benchCluster starts a 3-node rqlite cluster on 127.0.0.1 and opens a
// store on it with one TOR holding a /12 (room for every run) and
// benchWorkers nodes behind it.
func benchCluster(b *testing.B) (*store.Store, []topo.Node) {
	b.Helper()
	c := startCluster(b, 3)
	ctx := context.Background()
	st, err := store.Open(ctx, c.URL())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	p := netip.MustParsePrefix("10.0.0.0/12")
	tp := &topo.Topology{Zones: []topo.Zone{{ID: "z", CIDRs: []netip.Prefix{p}, Pods: []topo.Pod{{ID: "p", CIDRs: []netip.Prefix{p}, TORs: []topo.TOR{{ID: "t",
		Subnets: []topo.Subnet{{CIDR: p, Purpose: "default", Gateway: topo.DefaultGateway(p)}}}}}}}}}
	if err := st.ApplyTopology(ctx, tp, false, "bench"); err != nil {
		b.Fatal(err)
	}
	var nodes []topo.Node
	for i := 0; i < benchWorkers; i++ {
		nodes = append(nodes, topo.Node{ID: fmt.Sprintf("n%d", i), TOR: "t"})
	}
	if err := st.UpsertNodes(ctx, nodes); err != nil {
		b.Fatal(err)
	}
	return st, nodes
}

// BenchmarkRqliteAllocVsRaw measures allocations per second of
// alloc.Allocator over the rqlite store of a 3-node cluster (each
// allocation one atomic batch: the allocation and its event), from 8
// concurrent goroutines sharing the allocator as a server's requests do,
// next to raw single-statement writes (an INSERT into a scratch table
// through the same Backend.Exec) at the same concurrency in the same run.
// "ratio" is allocs/s over raw-writes/s.
//
//	go test ./store/ -run '^$' -bench RqliteAllocVsRaw -benchtime 4000x
func BenchmarkRqliteAllocVsRaw(b *testing.B) {
	st, nodes := benchCluster(b)
	ctx := context.Background()
	db := st.Backend()
	if _, err := db.Exec(ctx, store.Q(`CREATE TABLE scratch (k TEXT PRIMARY KEY, node TEXT NOT NULL)`)); err != nil {
		b.Fatal(err)
	}
	al := alloc.NewAllocator(st)
	var seq atomic.Int64
	b.Run("8-workers", func(b *testing.B) {
		// Alternate halves so that neither side gets the warmer cluster.
		var raw, netipam time.Duration
		for _, n := range []int{b.N / 2, b.N - b.N/2} {
			raw += parallel(b, n, func(w int) error {
				_, err := db.Exec(ctx, store.Q(`INSERT INTO scratch (k, node) VALUES (?, ?)`,
					fmt.Sprint(seq.Add(1)), nodes[w].ID))
				return err
			})
			netipam += parallel(b, n, func(w int) error {
				_, err := al.Allocate(ctx, alloc.Request{Node: nodes[w].ID})
				return err
			})
		}
		rawRate := float64(b.N) / raw.Seconds()
		allocRate := float64(b.N) / netipam.Seconds()
		b.ReportMetric(rawRate, "raw-writes/s")
		b.ReportMetric(allocRate, "allocs/s")
		b.ReportMetric(allocRate/rawRate, "ratio")
	})
}

// BenchmarkRqliteBatch measures `netipam alloc --count N` as the CLI runs
// it once its pool is loaded: the allocator with Count N, one atomic batch,
// through a 3-node cluster; addrs/s.
//
//	go test ./store/ -run '^$' -bench RqliteBatch -benchtime 5x
func BenchmarkRqliteBatch(b *testing.B) {
	st, nodes := benchCluster(b)
	ctx := context.Background()
	al := alloc.NewAllocator(st)
	for _, n := range []int{1000, 2000, 5000, 10000} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			req := alloc.Request{Node: nodes[0].ID, Count: n, Family: topo.IPv4}
			start := time.Now()
			for i := 0; i < b.N; i++ {
				got, err := al.Allocate(ctx, req)
				if err != nil {
					b.Fatal(err)
				}
				if len(got) != n {
					b.Fatalf("%d addresses, want %d", len(got), n)
				}
			}
			b.ReportMetric(float64(n*b.N)/time.Since(start).Seconds(), "addrs/s")
		})
	}
}

// parallel runs n calls of fn spread over benchWorkers goroutines (fn gets
// the worker's index) and returns the wall time; it stops the benchmark on
// the first error.
func parallel(b *testing.B, n int, fn func(w int) error) time.Duration {
	b.Helper()
	var next atomic.Int64
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	start := time.Now()
	for w := 0; w < benchWorkers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				if err := fn(w); err != nil {
					once.Do(func() { first = err })
					return
				}
			}
		}(w)
	}
	wg.Wait()
	d := time.Since(start)
	if first != nil {
		b.Fatal(first)
	}
	return d
}
