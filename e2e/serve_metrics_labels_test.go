package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/topo"
)

// monitorFile: pod p1 is exactly t1's and t2's /28s (13 addresses each to
// hand out), so a TOR past its threshold cannot grow; zone z has a pool of
// its own (storage), so the pool gauges have a series.
const monitorFile = `topology:
  zones:
    - id: z
      cidr: 10.9.0.0/16
      subnets:
        - {cidr: 10.9.1.0/28, purpose: storage}
      pods:
        - id: p1
          cidr: 10.9.0.0/27
          tors:
            - id: t1
              subnets:
                - {cidr: 10.9.0.0/28, purpose: default}
            - id: t2
              subnets:
                - {cidr: 10.9.0.16/28, purpose: default}
`

// Values a user types into requests, which no label may carry.
const (
	secretNetwork = "net-secretnetwork"
	secretPodNS   = "ns-secretpodns"
	secretPodName = "pod-secretpodname"
	secretIfName  = "ethsecret0"
)

func secretContainer(i int) string { return fmt.Sprintf("ctr-secretcontainer-%02d", i) }

// seededMonitor gives a SQLite store holding monitorFile, nodes nodesecret1
// on t1 and nodesecret2 on t2.
func seededMonitor(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	url := "sqlite://" + filepath.Join(dir, "netipam.db")
	mustSeed(t, url, "topo", "import", writeFile(t, dir, "topology.yaml", monitorFile))
	mustSeed(t, url, "node", "register", "--id", "nodesecret1", "--tor", "t1")
	mustSeed(t, url, "node", "register", "--id", "nodesecret2", "--tor", "t2")
	return url
}

// driveBlocked fills t1 through the server (13 containers), asks once more
// (exhausted: the pod has no room), and releases one container: t1 is past
// its threshold in a full pod. It returns what it allocated.
func driveBlocked(t *testing.T, s *served) []topo.Allocation {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out []topo.Allocation
	for i := 1; i <= 13; i++ {
		as, err := s.client.Allocate(ctx, alloc.Request{Node: "nodesecret1", Network: secretNetwork,
			Container: secretContainer(i), IfName: secretIfName, PodNS: secretPodNS, PodName: secretPodName})
		if err != nil {
			t.Fatalf("allocation %d on t1: %v", i, err)
		}
		out = append(out, as...)
	}
	_, err := s.client.Allocate(ctx, alloc.Request{Node: "nodesecret1", Network: secretNetwork,
		Container: secretContainer(14), IfName: secretIfName})
	if !errors.Is(err, topo.ErrExhausted) {
		t.Fatalf("a 14th address of t1 in a full pod: %v, want exhausted", err)
	}
	net, ctr, ifn, node := secretNetwork, secretContainer(13), secretIfName, "nodesecret1"
	if _, err := s.client.Release(ctx, topo.AllocationFilter{Node: &node, Network: &net, Container: &ctr, IfName: &ifn}, "release"); err != nil {
		t.Fatal(err)
	}
	return out
}

// driveT2 allocates on t2, one container a static address, staying below
// its threshold.
func driveT2(t *testing.T, s *served) []topo.Allocation {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out []topo.Allocation
	for i := 21; i <= 24; i++ {
		req := alloc.Request{Node: "nodesecret2", Network: secretNetwork, Container: secretContainer(i), IfName: secretIfName,
			PodNS: secretPodNS, PodName: secretPodName}
		if i == 24 {
			req.IPs = []netip.Addr{netip.MustParseAddr("10.9.0.29")}
		}
		as, err := s.client.Allocate(ctx, req)
		if err != nil {
			t.Fatalf("allocation %d on t2: %v", i, err)
		}
		out = append(out, as...)
	}
	return out
}

// scrapeMetrics GETs /metrics from addr and parses it.
func scrapeMetrics(t *testing.T, addr string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %d, %v", resp.StatusCode, err)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return fams
}

// netipamSeries counts the scrape's ipam_ series (a histogram's buckets,
// sum and count each count), in all and per value of the tor_id label.
func netipamSeries(fams map[string]*dto.MetricFamily) (total int, perTOR map[string]int) {
	perTOR = map[string]int{}
	for name, f := range fams {
		if !strings.HasPrefix(name, "ipam_") {
			continue
		}
		for _, m := range f.GetMetric() {
			n := 1
			if h := m.GetHistogram(); h != nil {
				n = len(h.GetBucket()) + 2 // the buckets (with +Inf), _sum and _count
				if bs := h.GetBucket(); len(bs) == 0 || !math.IsInf(bs[len(bs)-1].GetUpperBound(), 1) {
					n++ // the +Inf bucket, implicit
				}
			}
			total += n
			for _, l := range m.GetLabel() {
				if l.GetName() == "tor_id" {
					perTOR[l.GetValue()] += n
				}
			}
		}
	}
	return total, perTOR
}

// TORSeries is the number of series labelled with one TOR that holds one
// subnet of one purpose and family and is not blocked: its capacity, used,
// available, nodes, info and gc candidates (6), subnets of the purpose
// (1), capacity and used of the purpose and family (2), the forecast's
// threshold, full and rate (3), and the subnet's usage ratio (1).
// docs/monitoring.md gives it, and the formula for other TORs.
const torSeries = 13

// No label carries a value a user typed into a request (containers,
// networks, interfaces, pod names, nodes, addresses); every subnet_cidr is
// a subnet of the topology. The series are bounded by the topology: a TOR
// not written to keeps torSeries series, a blocked TOR gains exactly its
// ipam_expansion_blocked series, and more allocations add none. Every
// ipam_ metric served is in docs/server.md's table.
func TestServeMetricsLabelsBounded(t *testing.T) {
	t.Parallel()
	url := seededMonitor(t)
	addr := freePort(t)
	s := startServe(t, url, "--metrics-addr", addr)

	total0, per0 := netipamSeries(scrapeMetrics(t, addr))
	allocated := driveBlocked(t, s)
	fams1 := scrapeMetrics(t, addr)
	total1, per1 := netipamSeries(fams1)
	allocated = append(allocated, driveT2(t, s)...)
	fams2 := scrapeMetrics(t, addr)
	total2, per2 := netipamSeries(fams2)
	t.Logf("ipam_ series: %d at start, %d after t1's allocations, %d after t2's; per TOR %v, %v, %v",
		total0, total1, total2, per0, per1, per2)

	for _, p := range []map[string]int{per0, per1, per2} {
		if p["t2"] != torSeries {
			t.Errorf("t2 has %d series, want %d (one subnet, purpose and family)", p["t2"], torSeries)
		}
	}
	if per0["t1"] != torSeries || per1["t1"] != torSeries+1 || per2["t1"] != torSeries+1 {
		t.Errorf("t1 has %d, %d, %d series: want %d, then one more (ipam_expansion_blocked)", per0["t1"], per1["t1"], per2["t1"], torSeries)
	}
	if total2 != total1 {
		t.Errorf("%d ipam_ series after more allocations, %d before: series grow with allocations", total2, total1)
	}
	// A zone's pool subnet is labelled with its owner (zone:z) in
	// ipam_subnet_usage_ratio.
	if len(per2) != 3 || per2["zone:z"] != 1 {
		t.Errorf("series labelled with TORs %v, want t1, t2 and the zone pool's one", per2)
	}

	checkMetricsDocumented(t, fams2)

	typed := []string{secretNetwork, secretPodNS, secretPodName, secretIfName, "secretcontainer", "nodesecret"}
	addrs := map[string]bool{}
	for _, a := range allocated {
		addrs[a.Address.String()] = true
	}
	if len(addrs) != 17 {
		t.Fatalf("%d addresses allocated, want 17", len(addrs))
	}
	subnets := map[string]bool{"10.9.0.0/28": true, "10.9.0.16/28": true, "10.9.1.0/28": true}
	for _, fams := range []map[string]*dto.MetricFamily{fams1, fams2} {
		for name, f := range fams {
			for _, m := range f.GetMetric() {
				for _, l := range m.GetLabel() {
					v := l.GetValue()
					for _, s := range typed {
						if strings.Contains(v, s) {
							t.Errorf("%s{%s=%q} carries %q, a value typed into a request", name, l.GetName(), v, s)
						}
					}
					if _, err := netip.ParseAddr(v); err == nil || addrs[v] {
						t.Errorf("%s{%s=%q} names an address", name, l.GetName(), v)
					}
					if l.GetName() == "subnet_cidr" && !subnets[v] {
						t.Errorf("%s{subnet_cidr=%q} is no subnet of the topology", name, v)
					}
				}
			}
		}
	}
}

// checkMetricsDocumented fails for an ipam_ metric the table of
// docs/server.md does not name ("`x_capacity` / `_used`" names both).
func checkMetricsDocumented(t *testing.T, fams map[string]*dto.MetricFamily) {
	t.Helper()
	b, err := os.ReadFile(repoPath("docs/server.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for name := range fams {
		if !strings.HasPrefix(name, "ipam_") || strings.Contains(doc, "`"+name+"`") || strings.Contains(doc, "`"+name+"{") {
			continue
		}
		if base, ok := strings.CutSuffix(name, "_used"); ok && strings.Contains(doc, "`"+base+"_capacity` / `_used`") {
			continue
		}
		t.Errorf("%s is served but docs/server.md does not document it", name)
	}
}
