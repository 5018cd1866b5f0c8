package store

import (
	"context"
	"fmt"
	"net/netip"
	"syscall"
	"testing"
	"time"

	"github.com/netipam/netipam/topo"
)

// BenchmarkGroupWriteCost splits what one group commit writes on SQLite
// (64 allocations with their ledger rows, one transaction, fsync'd) into
// its parts, each variant on a fresh store of its own, all in the same
// run, taking turns: the full write as the server makes it; without the
// ledger rows; without the schema's triggers; without the secondary
// indexes as well; the full write with synchronous=NORMAL (no fsync per
// commit: not what netipam runs, to show what durability costs); and the
// allocation rows alone, without ledger, triggers or secondary indexes
// (the floor of the row and its UNIQUE constraints). Each reports rows/s;
// the full and bare writes also their CPU time per row. It is the
// evidence for where group commit's time goes.
//
//	go test ./store/ -run '^$' -bench GroupWriteCost -benchtime 200x
func BenchmarkGroupWriteCost(b *testing.B) {
	const size = 64
	variants := []struct {
		name  string
		setup []string
		only  int // statements of each group to run; 0: all
	}{
		{name: "full"},
		{name: "no-ledger", only: 1},
		{name: "no-triggers", setup: []string{"DROP TRIGGER allocations_in_subnet", "DROP TRIGGER allocations_not_reserved"}},
		{name: "no-triggers-no-secondary-indexes", setup: []string{"DROP TRIGGER allocations_in_subnet",
			"DROP TRIGGER allocations_not_reserved", "DROP INDEX allocations_tor", "DROP INDEX allocations_node",
			"DROP INDEX allocations_subnet", "DROP INDEX events_container", "DROP INDEX events_subnet", "DROP INDEX events_address"}},
		{name: "full-without-fsync", setup: []string{"PRAGMA synchronous=NORMAL"}},
		// The floor of the allocation row alone: no ledger, no trigger, no
		// secondary index, only the table and its two UNIQUE constraints.
		{name: "allocations-only-bare", only: 1, setup: []string{"DROP TRIGGER allocations_in_subnet",
			"DROP TRIGGER allocations_not_reserved", "DROP TRIGGER subnet_counts_allocate", "DROP INDEX allocations_tor",
			"DROP INDEX allocations_node", "DROP INDEX allocations_subnet"}},
	}
	// Every variant's store is open at once and the variants take turns,
	// one group each, so that a change of the neighbours' load on a
	// shared machine falls on all of them alike.
	type run struct {
		st    *Store
		nodes []string
		p     netip.Prefix
		seq   int
		d     time.Duration
		cpu   time.Duration
	}
	runs := make([]*run, len(variants))
	ctx := context.Background()
	for i, v := range variants {
		st, nodes, p := groupCostStore(b)
		defer st.Close()
		for _, q := range v.setup {
			if _, err := st.db.(*sqliteDB).writer.Exec(q); err != nil {
				b.Fatal(err)
			}
		}
		runs[i] = &run{st: st, nodes: nodes, p: p, seq: 16}
	}
	b.ResetTimer()
	for range b.N {
		for i, v := range variants {
			r := runs[i]
			allocs := make([]topo.Allocation, 0, size)
			for range size {
				r.seq++
				a := netip.AddrFrom4([4]byte{10, byte(r.seq >> 16), byte(r.seq >> 8), byte(r.seq)})
				allocs = append(allocs, topo.Allocation{Subnet: r.p, Address: a, Purpose: "default", TOR: "t",
					Node: r.nodes[r.seq%len(r.nodes)], Container: fmt.Sprintf("c-%d", r.seq), IfName: "eth0", Network: "n"})
			}
			stmts := r.st.insertMixedRows(allocs)
			if v.only > 0 {
				stmts = stmts[:v.only]
			}
			cpu0, start := cpuTime(), time.Now()
			if _, err := r.st.db.Exec(ctx, stmts...); err != nil {
				b.Fatal(err)
			}
			r.d += time.Since(start)
			r.cpu += cpuTime() - cpu0
		}
	}
	b.StopTimer()
	rates := map[string]float64{}
	cpu := map[string]float64{} // the process's CPU time per row, µs
	for i, v := range variants {
		rates[v.name] = float64(b.N*size) / runs[i].d.Seconds()
		cpu[v.name] = float64(runs[i].cpu) / float64(time.Microsecond) / float64(b.N*size)
	}
	for _, v := range variants {
		b.ReportMetric(rates[v.name], v.name+"-rows/s")
	}
	// On a shared machine the wall rate moves with the neighbours' load;
	// the CPU time per row moves less.
	b.ReportMetric(cpu["full"], "full-cpu-us/row")
	b.ReportMetric(cpu["no-triggers-no-secondary-indexes"], "bare-cpu-us/row")
	b.ReportMetric(rates["no-triggers-no-secondary-indexes"]/rates["full"], "bare-vs-full-ratio")
	b.ReportMetric(rates["full-without-fsync"]/rates["full"], "nofsync-vs-full-ratio")
}

// cpuTime is the CPU time this process has used (user and system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// groupCostStore is a fresh SQLite store with one TOR holding a /12 and
// 64 nodes behind it.
func groupCostStore(b *testing.B) (*Store, []string, netip.Prefix) {
	b.Helper()
	ctx := context.Background()
	st, err := OpenMode(ctx, "sqlite://"+b.TempDir()+"/cost.db", ModeCreate)
	if err != nil {
		b.Fatal(err)
	}
	p := netip.MustParsePrefix("10.0.0.0/12")
	tp := &topo.Topology{Zones: []topo.Zone{{ID: "z", CIDRs: []netip.Prefix{p}, Pods: []topo.Pod{{ID: "p", CIDRs: []netip.Prefix{p},
		TORs: []topo.TOR{{ID: "t", Subnets: []topo.Subnet{{CIDR: p, Purpose: "default", Gateway: topo.DefaultGateway(p)}}}}}}}}}
	if err := st.ApplyTopology(ctx, tp, false, "bench"); err != nil {
		b.Fatal(err)
	}
	var nodes []topo.Node
	var ids []string
	for i := range 64 {
		nodes = append(nodes, topo.Node{ID: fmt.Sprintf("n%d", i), TOR: "t"})
		ids = append(ids, nodes[i].ID)
	}
	if err := st.UpsertNodes(ctx, nodes); err != nil {
		b.Fatal(err)
	}
	return st, ids, p
}
