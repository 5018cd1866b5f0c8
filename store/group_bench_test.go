package store_test

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

// groupCallers is the concurrency of the group-commit benchmarks: the
// issue's 64 concurrent clients of one server.
const groupCallers = 64

// benchTOR gives st one TOR holding a /12 (room for every run) and n nodes
// behind it.
func benchTOR(b *testing.B, st *store.Store, n int) []string {
	b.Helper()
	ctx := context.Background()
	p := netip.MustParsePrefix("10.0.0.0/12")
	tp := &topo.Topology{Zones: []topo.Zone{{ID: "z", CIDRs: []netip.Prefix{p}, Pods: []topo.Pod{{ID: "p", CIDRs: []netip.Prefix{p}, TORs: []topo.TOR{{ID: "t",
		Subnets: []topo.Subnet{{CIDR: p, Purpose: "default", Gateway: topo.DefaultGateway(p)}}}}}}}}}
	if err := st.ApplyTopology(ctx, tp, false, "bench"); err != nil {
		b.Fatal(err)
	}
	var nodes []topo.Node
	var ids []string
	for i := range n {
		nodes = append(nodes, topo.Node{ID: fmt.Sprintf("n%d", i), TOR: "t"})
		ids = append(ids, nodes[i].ID)
	}
	if err := st.UpsertNodes(ctx, nodes); err != nil {
		b.Fatal(err)
	}
	return ids
}

// rawTable is the reference's table: an allocation row's columns, the
// address unique, no trigger, no ledger.
const rawTable = `CREATE TABLE raw_allocations (subnet TEXT NOT NULL, address TEXT NOT NULL UNIQUE,
	addr_key TEXT NOT NULL, family INTEGER NOT NULL, purpose TEXT NOT NULL, node_id TEXT NOT NULL,
	tor_id TEXT NOT NULL, allocated_at TEXT NOT NULL)`

// BenchmarkGroupCommitSQLite measures allocations per second of 64
// concurrent callers through one long-lived allocator over a
// GroupCommitter on SQLite (each allocation durable before its caller is
// answered, with its ledger event, every trigger and constraint), next to
// the same rows written raw in the same run: one multi-row INSERT of 64
// rows per transaction, from one writer. "ratio" is allocs/s over
// raw-rows/s.
//
//	go test ./store/ -run '^$' -bench GroupCommitSQLite -benchtime 20000x
func BenchmarkGroupCommitSQLite(b *testing.B) {
	st := openSQLiteStore(b)
	nodes := benchTOR(b, st, groupCallers)
	ctx := context.Background()
	db := st.Backend()
	if _, err := db.Exec(ctx, store.Q(rawTable)); err != nil {
		b.Fatal(err)
	}
	var batches, requests atomic.Int64
	g := store.NewGroupCommitter(st, store.GroupOptions{OnBatch: func(r, _ int, _ time.Duration) {
		batches.Add(1)
		requests.Add(int64(r))
	}})
	b.Cleanup(func() { g.Close() })
	al := alloc.NewAllocator(g)
	var seq int64
	raw := func(n int) time.Duration {
		start := time.Now()
		for n > 0 {
			k := min(n, groupCallers)
			args := make([]any, 0, 8*k)
			for range k {
				seq++
				a := netip.AddrFrom4([4]byte{11, byte(seq >> 16), byte(seq >> 8), byte(seq)})
				b16 := a.As16()
				args = append(args, "11.0.0.0/8", a.String(), fmt.Sprintf("%x", b16[:]), int64(4), "default",
					nodes[int(seq)%len(nodes)], "t", time.Now().UTC().Format(time.RFC3339Nano))
			}
			q := `INSERT INTO raw_allocations (subnet, address, addr_key, family, purpose, node_id, tor_id, allocated_at) VALUES ` +
				strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?), ", k), ", ")
			if _, err := db.Exec(ctx, store.Q(q, args...)); err != nil {
				b.Fatal(err)
			}
			n -= k
		}
		return time.Since(start)
	}
	b.ResetTimer()
	var rawT, groupT time.Duration
	for _, n := range []int{b.N / 2, b.N - b.N/2} { // alternate halves: neither gets the warmer file
		rawT += raw(n)
		groupT += concurrently(b, groupCallers, n, func(w int) error {
			_, err := al.Allocate(ctx, alloc.Request{Node: nodes[w]})
			return err
		})
	}
	rawRate, allocRate := float64(b.N)/rawT.Seconds(), float64(b.N)/groupT.Seconds()
	b.ReportMetric(rawRate, "raw-rows/s")
	b.ReportMetric(allocRate, "allocs/s")
	b.ReportMetric(allocRate/rawRate, "ratio")
	if n := batches.Load(); n > 0 {
		b.ReportMetric(float64(requests.Load())/float64(n), "callers/group")
	}
}

// BenchmarkGroupCommitRqlite measures allocations per second of 64
// concurrent callers through one long-lived allocator over a
// GroupCommitter on a 3-node rqlite cluster, next to raw single-row writes
// (an INSERT into a scratch table, each its own request) at the same
// concurrency in the same run. "ratio" is allocs/s over raw-writes/s.
//
//	go test ./store/ -run '^$' -bench GroupCommitRqlite -benchtime 4000x
func BenchmarkGroupCommitRqlite(b *testing.B) {
	c := startCluster(b, 3)
	ctx := context.Background()
	st, err := store.Open(ctx, c.URL())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	nodes := benchTOR(b, st, groupCallers)
	db := st.Backend()
	if _, err := db.Exec(ctx, store.Q(`CREATE TABLE scratch (k TEXT PRIMARY KEY, node TEXT NOT NULL)`)); err != nil {
		b.Fatal(err)
	}
	var batches, requests atomic.Int64
	g := store.NewGroupCommitter(st, store.GroupOptions{OnBatch: func(r, _ int, _ time.Duration) {
		batches.Add(1)
		requests.Add(int64(r))
	}})
	b.Cleanup(func() { g.Close() })
	al := alloc.NewAllocator(g)
	var seq atomic.Int64
	b.ResetTimer()
	var rawT, groupT time.Duration
	for _, n := range []int{b.N / 2, b.N - b.N/2} {
		rawT += concurrently(b, groupCallers, n, func(w int) error {
			_, err := db.Exec(ctx, store.Q(`INSERT INTO scratch (k, node) VALUES (?, ?)`, fmt.Sprint(seq.Add(1)), nodes[w]))
			return err
		})
		groupT += concurrently(b, groupCallers, n, func(w int) error {
			_, err := al.Allocate(ctx, alloc.Request{Node: nodes[w]})
			return err
		})
	}
	rawRate, allocRate := float64(b.N)/rawT.Seconds(), float64(b.N)/groupT.Seconds()
	b.ReportMetric(rawRate, "raw-writes/s")
	b.ReportMetric(allocRate, "allocs/s")
	b.ReportMetric(allocRate/rawRate, "ratio")
	if n := batches.Load(); n > 0 {
		b.ReportMetric(float64(requests.Load())/float64(n), "callers/group")
	}
}

// concurrently runs n calls of fn spread over workers goroutines (fn gets
// the worker's index) and returns the wall time; it stops the benchmark on
// the first error.
func concurrently(b *testing.B, workers, n int, fn func(w int) error) time.Duration {
	b.Helper()
	var next atomic.Int64
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	start := time.Now()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				if err := fn(w); err != nil {
					once.Do(func() { first = err })
					return
				}
			}
		}()
	}
	wg.Wait()
	d := time.Since(start)
	if first != nil {
		b.Fatal(first)
	}
	return d
}
