package local_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/ipam/local"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/store/storetest"
	"github.com/netipam/netipam/topo"
)

// BenchmarkLocalAllocateExpansionCheck measures what the check after every
// one-shot allocation costs (whether the TOR crossed the threshold: three
// indexed reads): the time of Service.Allocate beside that of the bare
// one-shot allocator it wraps, alternating on the same SQLite store (a
// dual-stack allocation, released after each call), and their ratio.
func BenchmarkLocalAllocateExpansionCheck(b *testing.B) {
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite://"+filepath.Join(b.TempDir(), "netipam.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	storetest.LoadDemo(b, st)
	node := "node-01"
	calls := []func(context.Context, alloc.Request) error{
		func(ctx context.Context, r alloc.Request) error { // the reference
			_, err := alloc.NewOneShotAllocator(st).Allocate(ctx, r)
			return err
		},
		func(ctx context.Context, r alloc.Request) error {
			_, err := local.Service{Store: st}.Allocate(ctx, r)
			return err
		},
	}
	// The two alternate, so that both see the same store and the same load.
	var spent [2]time.Duration
	i := 0
	for b.Loop() {
		for k, call := range calls {
			i++
			ctr := fmt.Sprintf("c-%d", i)
			start := time.Now()
			if err := call(ctx, alloc.Request{Node: node, Container: ctr, IfName: "eth0", Network: "n"}); err != nil {
				b.Fatal(err)
			}
			spent[k] += time.Since(start)
			if _, err := st.Release(ctx, topo.AllocationFilter{Container: &ctr}, "release"); err != nil {
				b.Fatal(err)
			}
		}
	}
	n := float64(b.N)
	b.ReportMetric(float64(spent[0].Microseconds())/n, "bare-us/alloc")
	b.ReportMetric(float64(spent[1].Microseconds())/n, "local-us/alloc")
	b.ReportMetric(float64(spent[1])/float64(spent[0]), "ratio")
}
