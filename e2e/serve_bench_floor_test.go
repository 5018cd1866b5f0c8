package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/netipam/netipam/topo"
)

// bareSocketRate is the floor of BenchmarkServeAllocate's transport: the
// simplest server that does what its socket path does, net/http on a unix
// socket decoding a small JSON request and answering one allocation in
// JSON, doing no other work, with the same 64 client goroutines in this
// process. It gives requests a second.
func bareSocketRate(b *testing.B, n int) float64 {
	b.Helper()
	sock := filepath.Join(b.TempDir(), "bare.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		b.Fatal(err)
	}
	var next atomic.Int64
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Node, Network, Container, IfName string }
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		a := topo.Allocation{Address: netip.AddrFrom16([16]byte{0: 0xfd, 15: byte(next.Add(1))}), Subnet: netip.MustParsePrefix("fd00::/64"),
			Node: req.Node, Network: req.Network, Container: req.Container, IfName: req.IfName, At: time.Now()}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode([]topo.Allocation{a})
	})}
	go srv.Serve(l)
	defer srv.Close()
	cl := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64,
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", sock)
		}}}
	defer cl.CloseIdleConnections()
	var issued atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for w := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := issued.Add(1); i <= int64(n); i = issued.Add(1) {
				body, _ := json.Marshal(map[string]string{"node": "node-01", "network": "bench",
					"container": fmt.Sprintf("bare-%d-%d", w, i), "ifname": "eth0"})
				resp, err := cl.Post("http://unix/v1/allocate", "application/json", bytes.NewReader(body))
				if err != nil {
					b.Error(err)
					return
				}
				var out []topo.Allocation
				if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || len(out) != 1 {
					b.Errorf("bare server answered %d allocations: %v", len(out), err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
	return float64(n) / time.Since(start).Seconds()
}
