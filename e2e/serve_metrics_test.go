package e2e

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/netipam/netipam/alloc"
)

// TestServeMetrics: `netipam serve --metrics-addr` serves the design notes'
// gauges and the request counters on /metrics only, and they follow what
// the server did.
func TestServeMetrics(t *testing.T) {
	url, _ := seeded(t)
	addr := freePort(t)
	s := startServe(t, url, "--metrics-addr", addr)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for i := range 3 {
		if _, err := s.client.Allocate(ctx, alloc.Request{Node: "node-01", Family: 4, Container: "m" + string(rune('a'+i)), IfName: "eth0"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.client.Allocate(ctx, alloc.Request{Node: "node-99"}); err == nil {
		t.Fatal("an unregistered node was served")
	}
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, body := get("/metrics")
	if code != 200 {
		t.Fatalf("/metrics: %d", code)
	}
	for _, want := range []string{
		`ipam_requests_total{op="allocate",result="ok"} 3`,
		`ipam_requests_total{op="allocate",result="not_found"} 1`,
		`ipam_addresses_allocated_total 3`,
		`ipam_tor_ip_used{tor_id="tor-1"} 3`,
		`ipam_zones_total 2`,
		`ipam_nodes_total{tor_id="tor-1"} 2`,
		`ipam_subnet_allocations_total{subnet_cidr="10.244.0.0/22"} 3`,
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if code, _ := get("/v1/usage"); code != http.StatusNotFound {
		t.Fatalf("the metrics listener served /v1/usage: %d", code)
	}
}
