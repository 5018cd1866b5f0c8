package server_test

import (
	"bytes"
	"context"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/ipam"
	"github.com/netipam/netipam/ipam/local"
	"github.com/netipam/netipam/server"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/store/rqlitetest"
	"github.com/netipam/netipam/store/storetest"
	"github.com/netipam/netipam/topo"
)

// usageLabels are the design notes' gauges (section 8) and their labels.
var usageLabels = map[string][]string{
	"ipam_tor_subnets_total":        {"tor_id", "purpose"},
	"ipam_tor_ip_capacity":          {"tor_id"},
	"ipam_tor_ip_used":              {"tor_id"},
	"ipam_tor_ip_available":         {"tor_id"},
	"ipam_subnet_usage_ratio":       {"subnet_cidr", "tor_id"},
	"ipam_subnet_allocations_total": {"subnet_cidr"},
	"ipam_zones_total":              nil,
	"ipam_pods_total":               {"zone_id"},
	"ipam_tors_total":               {"pod_id"},
	"ipam_nodes_total":              {"tor_id"},
}

// designTotals are the gauges whose names the design notes give with a
// "_total" suffix, which promlint keeps for counters: the one problem
// allowed.
var designTotals = []string{"ipam_tor_subnets_total", "ipam_subnet_allocations_total",
	"ipam_zones_total", "ipam_pods_total", "ipam_tors_total", "ipam_nodes_total"}

// exposition is one scrape, by metric name.
type exposition map[string]*dto.MetricFamily

// scrape GETs /metrics from h, checks the answer and lints it.
func scrape(t *testing.T, h http.Handler) exposition {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: status %d: %s", resp.StatusCode, body)
	}
	problems, err := promlint.New(bytes.NewReader(body)).Lint()
	if err != nil {
		t.Fatalf("lint /metrics: %v", err)
	}
	checkLint(t, problems)
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("parse /metrics: %v\n%s", err, body)
	}
	return fams
}

// checkLint fails on any problem but a design-given "_total" on a gauge.
func checkLint(t *testing.T, problems []promlint.Problem) {
	t.Helper()
	for _, p := range problems {
		if slices.Contains(designTotals, p.Metric) && strings.Contains(p.Text, `"_total" suffix`) {
			continue
		}
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
}

// series returns name's series as label-set -> value, each label set
// written "k=v,k=v" in the order of the family's labels.
func (e exposition) series(t *testing.T, name string) map[string]float64 {
	t.Helper()
	f := e[name]
	if f == nil {
		t.Fatalf("%s is missing", name)
	}
	out := map[string]float64{}
	for _, m := range f.GetMetric() {
		var parts []string
		for _, l := range m.GetLabel() {
			parts = append(parts, l.GetName()+"="+l.GetValue())
		}
		v := m.GetGauge().GetValue()
		if f.GetType() == dto.MetricType_COUNTER {
			v = m.GetCounter().GetValue()
		}
		out[strings.Join(parts, ",")] = v
	}
	return out
}

// value is the value of name's series with exactly labels ("k=v,...").
func (e exposition) value(t *testing.T, name, labels string) float64 {
	t.Helper()
	v, ok := e.series(t, name)[labels]
	if !ok {
		t.Fatalf("%s{%s} is missing; have %v", name, labels, e.series(t, name))
	}
	return v
}

func newMetrics(t *testing.T, src server.UsageSource) (*server.Metrics, *prometheus.Registry) {
	reg := prometheus.NewRegistry()
	return server.NewMetrics(reg, src), reg
}

func allocate(t *testing.T, svc ipam.Service, req alloc.Request) []topo.Allocation {
	t.Helper()
	as, err := svc.Allocate(context.Background(), req)
	if err != nil {
		t.Fatalf("allocate %+v: %v", req, err)
	}
	return as
}

func TestMetricsUsageGauges(t *testing.T) {
	st, _ := storetest.DemoRecorded(t)
	checkDemoUsage(t, st)
}

// The same on a 3-node rqlite cluster.
func TestMetricsUsageGaugesRqlite(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a 3-node rqlite cluster")
	}
	ctx := context.Background()
	c := rqlitetest.Start(t, 3)
	st, err := store.Open(ctx, c.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	storetest.LoadDemo(t, st)
	checkDemoUsage(t, st)
}

// checkDemoUsage allocates on a store holding the demo topology and nodes,
// scrapes, and checks every usage gauge against the store and against
// figures known from the demo.
func checkDemoUsage(t *testing.T, st *store.Store) {
	t.Helper()
	ctx := context.Background()
	svc := local.Service{Store: st}
	allocate(t, svc, alloc.Request{Node: "node-01", Family: topo.IPv4, Count: 3})
	allocate(t, svc, alloc.Request{Node: "node-02", Purposes: []string{"storage"}})
	allocate(t, svc, alloc.Request{Node: "node-03"}) // dual-stack: one IPv4, one IPv6
	m, reg := newMetrics(t, st)

	e := scrape(t, m.Handler())
	for name, labels := range usageLabels {
		f := e[name]
		if f == nil {
			t.Errorf("%s is missing", name)
			continue
		}
		if f.GetType() != dto.MetricType_GAUGE {
			t.Errorf("%s is a %s, want a gauge", name, f.GetType())
		}
		for _, s := range f.GetMetric() {
			var got []string
			for _, l := range s.GetLabel() {
				got = append(got, l.GetName())
			}
			if !slices.Equal(got, sortedCopy(labels)) {
				t.Errorf("%s has labels %v, want %v", name, got, labels)
			}
		}
	}
	problems, err := testutil.GatherAndLint(reg)
	if err != nil {
		t.Fatal(err)
	}
	checkLint(t, problems)
	if v := e.value(t, "ipam_usage_scrape_success", ""); v != 1 {
		t.Errorf("ipam_usage_scrape_success = %v, want 1", v)
	}

	// Used is what the allocations table holds, TOR by TOR and subnet by
	// subnet; capacity is alloc.Capacity summed; available is the rest.
	subnets, err := st.Subnets(ctx, topo.SubnetFilter{})
	if err != nil {
		t.Fatal(err)
	}
	tors := map[string]bool{}
	for _, r := range subnets {
		tors[r.TOR] = true
	}
	for tor := range tors {
		held, err := st.Allocations(ctx, topo.AllocationFilter{TOR: &tor})
		if err != nil {
			t.Fatal(err)
		}
		sns, err := st.TORSubnets(ctx, tor)
		if err != nil {
			t.Fatal(err)
		}
		var capacity float64
		for _, sn := range sns {
			c, err := alloc.Capacity(sn)
			if err != nil {
				t.Fatal(err)
			}
			capacity += float64(c)
		}
		l := "tor_id=" + tor
		used := e.value(t, "ipam_tor_ip_used", l)
		if used != float64(len(held)) {
			t.Errorf("%s: used %v, allocations %d", tor, used, len(held))
		}
		if got := e.value(t, "ipam_tor_ip_capacity", l); got != capacity {
			t.Errorf("%s: capacity %v, want %v", tor, got, capacity)
		}
		if got, want := e.value(t, "ipam_tor_ip_available", l), capacity-used; math.Abs(got-want) > want*1e-12 {
			t.Errorf("%s: available %v, want %v", tor, got, want)
		}
		// The purpose and family figures add up to the TOR's.
		var pc, pu float64
		for labels, v := range e.series(t, "ipam_tor_purpose_ip_capacity") {
			if strings.HasSuffix(labels, ",tor_id="+tor) {
				pc += v
			}
		}
		for labels, v := range e.series(t, "ipam_tor_purpose_ip_used") {
			if strings.HasSuffix(labels, ",tor_id="+tor) {
				pu += v
			}
		}
		if math.Abs(pc-capacity) > capacity*1e-12 || pu != used {
			t.Errorf("%s: by purpose %v of %v, in all %v of %v", tor, pu, pc, used, capacity)
		}
	}
	// Figures known from the demo and the requests above.
	for _, c := range []struct {
		name, labels string
		want         float64
	}{
		{"ipam_tor_ip_used", "tor_id=tor-1", 4},
		{"ipam_tor_ip_used", "tor_id=tor-2", 2},
		// Two /24s, each less network, broadcast and the default gateway.
		{"ipam_tor_ip_capacity", "tor_id=tor-4", 253 + 253},
		{"ipam_tor_ip_available", "tor_id=tor-4", 253 + 253},
		{"ipam_subnet_allocations_total", "subnet_cidr=10.244.0.0/22", 3},
		{"ipam_subnet_allocations_total", "subnet_cidr=10.244.4.0/24", 1},
		{"ipam_subnet_allocations_total", "subnet_cidr=fd00:10:244:2::/64", 1},
		{"ipam_subnet_usage_ratio", "subnet_cidr=10.244.4.0/24,tor_id=tor-1", 1.0 / 253},
		{"ipam_tor_subnets_total", "purpose=default,tor_id=tor-1", 2},
		{"ipam_tor_subnets_total", "purpose=storage,tor_id=tor-1", 1},
		{"ipam_zones_total", "", 2},
		{"ipam_pods_total", "zone_id=zone-a", 2},
		{"ipam_tors_total", "pod_id=pod-1", 2},
		{"ipam_nodes_total", "tor_id=tor-1", 2},
		{"ipam_nodes_total", "tor_id=tor-3", 1},
		// tor-1's default IPv4 is a /22 less network, broadcast, gateway,
		// 10.244.0.2, a /29 and 10.244.0.100-110: 1024-2-1-1-8-11.
		{"ipam_tor_purpose_ip_capacity", "family=4,purpose=default,tor_id=tor-1", 1001},
		{"ipam_tor_purpose_ip_used", "family=4,purpose=default,tor_id=tor-1", 3},
		{"ipam_tor_purpose_ip_used", "family=6,purpose=default,tor_id=tor-2", 1},
		{"ipam_tor_purpose_ip_capacity", "family=4,purpose=storage,tor_id=tor-4", 253},
	} {
		if got := e.value(t, c.name, c.labels); got != c.want {
			t.Errorf("%s{%s} = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	for _, r := range subnets {
		l := "subnet_cidr=" + r.CIDR.String()
		if got := e.value(t, "ipam_subnet_allocations_total", l); got != float64(r.Used) {
			t.Errorf("%s: allocations %v, want %d", r.CIDR, got, r.Used)
		}
		ratio := e.value(t, "ipam_subnet_usage_ratio", l+",tor_id="+r.TOR)
		if ratio < 0 || ratio > 1 {
			t.Errorf("%s: usage ratio %v outside [0,1]", r.CIDR, ratio)
		}
	}
	if n := len(e.series(t, "ipam_subnet_usage_ratio")); n != len(subnets) {
		t.Errorf("%d subnet ratios, %d subnets", n, len(subnets))
	}
}

// The gauges are read at scrape time: a release made elsewhere shows at
// the next scrape.
func TestMetricsUsageFollowsStore(t *testing.T) {
	ctx := context.Background()
	st, _ := storetest.DemoRecorded(t)
	svc := local.Service{Store: st}
	as := allocate(t, svc, alloc.Request{Node: "node-07", Family: topo.IPv4, Count: 2})
	m, _ := newMetrics(t, st)
	tor := as[0].TOR
	l := "tor_id=" + tor
	if got := scrape(t, m.Handler()).value(t, "ipam_tor_ip_used", l); got != 2 {
		t.Fatalf("%s used %v before release, want 2", tor, got)
	}
	if _, err := svc.Release(ctx, topo.AllocationFilter{Addresses: []netip.Addr{as[0].Address}}, "release"); err != nil {
		t.Fatal(err)
	}
	e := scrape(t, m.Handler())
	if got := e.value(t, "ipam_tor_ip_used", l); got != 1 {
		t.Errorf("%s used %v after release, want 1", tor, got)
	}
	if got := e.value(t, "ipam_subnet_allocations_total", "subnet_cidr="+as[0].Subnet.String()); got != 1 {
		t.Errorf("%s allocations %v after release, want 1", as[0].Subnet, got)
	}
}

// A store that cannot answer leaves the usage gauges out, says so, counts
// a store error, and still serves the operational metrics.
func TestMetricsUsageStoreDown(t *testing.T) {
	st, _ := storetest.DemoRecorded(t)
	m, _ := newMetrics(t, st)
	st.Close()
	e := scrape(t, m.Handler())
	if v := e.value(t, "ipam_usage_scrape_success", ""); v != 0 {
		t.Errorf("ipam_usage_scrape_success = %v with the store closed, want 0", v)
	}
	for name := range usageLabels {
		if e[name] != nil {
			t.Errorf("%s served with the store closed", name)
		}
	}
	// The registry gathers collectors concurrently, so the failed read's
	// store error is certain to show from the next scrape on (1 or 2).
	if v := scrape(t, m.Handler()).value(t, "ipam_store_errors_total", ""); v < 1 || v > 2 {
		t.Errorf("ipam_store_errors_total = %v after two failed scrapes, want 1 or 2", v)
	}
	if e["ipam_requests_total"] == nil {
		t.Error("ipam_requests_total missing with the store closed")
	}
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}
