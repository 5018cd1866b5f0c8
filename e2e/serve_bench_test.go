package e2e

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/ipam"
	"github.com/netipam/netipam/server"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

// BenchmarkServeAllocate: 64 concurrent clients allocating one IPv6
// address each for a new attachment, through `netipam serve` on a unix
// socket, beside the reference: the same calls on the same daemon code in
// process (server.NewDaemon over its own store, no HTTP), so the ratio is
// what the transport costs. ratio = server / in-process rate. A third
// reference is the transport's floor (bareSocketRate), and
// server-vs-floor compares the server with what the bare transport and
// the in-process daemon allow together.
func BenchmarkServeAllocate(b *testing.B) {
	const clients = 64
	rate := func(svc ipam.Service, n int, tag string) float64 {
		var next atomic.Int64
		var wg sync.WaitGroup
		ctx := context.Background()
		start := time.Now()
		for w := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := next.Add(1); i <= int64(n); i = next.Add(1) {
					_, err := svc.Allocate(ctx, alloc.Request{Node: "node-01", Family: topo.IPv6,
						Network: "bench", Container: fmt.Sprintf("%s-%d-%d", tag, w, i), IfName: "eth0"})
					if err != nil {
						b.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		return float64(n) / time.Since(start).Seconds()
	}
	srvURL, _ := seeded(b)
	s := startServe(b, srvURL)
	locURL, _ := seeded(b)
	st, err := store.OpenMode(context.Background(), locURL, store.ModeExisting)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	d := server.NewDaemon(st)
	defer d.Close()
	b.ResetTimer()
	var srv, loc, bare float64
	for i := range b.N {
		srv += rate(s.client, 2000, fmt.Sprint("s", i))
		loc += rate(d, 2000, fmt.Sprint("l", i))
		bare += bareSocketRate(b, 2000)
	}
	b.StopTimer()
	n := float64(b.N)
	srv, loc, bare = srv/n, loc/n, bare/n
	b.ReportMetric(srv, "server-allocs/s")
	b.ReportMetric(loc, "local-allocs/s")
	b.ReportMetric(bare, "bare-socket-req/s")
	b.ReportMetric(srv/loc, "ratio")
	// The most the socket path could make: the bare transport's cost and
	// the daemon's own, one after the other on the same CPU.
	b.ReportMetric(srv*(1/loc+1/bare), "server-vs-floor")
}
