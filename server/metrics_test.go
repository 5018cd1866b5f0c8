package server_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/server"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/store/storetest"
	"github.com/netipam/netipam/topo"
)

// The metrics listener serves /metrics and nothing else.
func TestMetricsHandlerOnlyMetrics(t *testing.T) {
	st, _ := storetest.DemoRecorded(t)
	m, _ := newMetrics(t, st)
	srv := httptest.NewServer(m.Handler())
	t.Cleanup(srv.Close)
	for _, c := range []struct {
		method, path string
		want         int
	}{
		{"GET", "/metrics", http.StatusOK},
		{"GET", "/", http.StatusNotFound},
		{"GET", "/metrics/", http.StatusNotFound},
		{"GET", "/metricsx", http.StatusNotFound},
		{"GET", "/v1/allocations", http.StatusNotFound},
		{"GET", "/debug/pprof/", http.StatusNotFound},
		{"GET", "/healthz", http.StatusNotFound},
		{"POST", "/metrics", http.StatusMethodNotAllowed},
		{"DELETE", "/metrics", http.StatusMethodNotAllowed},
	} {
		req, err := http.NewRequest(c.method, srv.URL+c.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("%s %s: status %d, want %d", c.method, c.path, resp.StatusCode, c.want)
		}
	}
}

// Every method moves its metric, and only its own.
func TestMetricsOperational(t *testing.T) {
	st, _ := storetest.DemoRecorded(t)
	m, reg := newMetrics(t, st)

	before := scrape(t, m.Handler())
	if got := len(before.series(t, "ipam_requests_total")); got != 8*7 {
		t.Errorf("%d request series at start, want every op x result (56)", got)
	}
	if before["ipam_store_leader_reachable"] != nil {
		t.Error("ipam_store_leader_reachable exported for a SQLite store")
	}

	m.ObserveRequest(server.OpAllocate, server.ResultOK, 2*time.Millisecond)
	m.ObserveRequest(server.OpAllocate, server.ResultOK, 3*time.Millisecond)
	m.ObserveRequest(server.OpAllocate, server.ResultExhausted, time.Millisecond)
	m.ObserveRequest(server.OpRelease, server.ResultNotFound, time.Millisecond)
	m.Allocated(3)
	m.Released(1)
	m.ObserveBatch(5)
	m.ObserveBatch(1)
	m.Conflict()
	m.Retry()
	m.Retry()
	m.StoreError()
	m.PoolRebuild(250 * time.Millisecond)

	e := scrape(t, m.Handler())
	for _, c := range []struct {
		name, labels string
		want         float64
	}{
		{"ipam_requests_total", "op=allocate,result=ok", 2},
		{"ipam_requests_total", "op=allocate,result=exhausted", 1},
		{"ipam_requests_total", "op=allocate,result=conflict", 0},
		{"ipam_requests_total", "op=release,result=not_found", 1},
		{"ipam_requests_total", "op=release,result=ok", 0},
		{"ipam_addresses_allocated_total", "", 3},
		{"ipam_addresses_released_total", "", 1},
		{"ipam_conflicts_total", "", 1},
		{"ipam_retries_total", "", 2},
		{"ipam_store_errors_total", "", 1},
	} {
		if got := e.value(t, c.name, c.labels); got != c.want {
			t.Errorf("%s{%s} = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	hist := func(name, op string) (count uint64, sum float64) {
		t.Helper()
		for _, s := range e[name].GetMetric() {
			if op == "" || (len(s.GetLabel()) == 1 && s.GetLabel()[0].GetValue() == op) {
				return s.GetHistogram().GetSampleCount(), s.GetHistogram().GetSampleSum()
			}
		}
		t.Fatalf("%s{op=%q} is missing", name, op)
		return 0, 0
	}
	if n, sum := hist("ipam_request_duration_seconds", "allocate"); n != 3 || !near(sum, 0.006) {
		t.Errorf("allocate latency: %d samples summing %v, want 3 summing 0.006", n, sum)
	}
	if n, sum := hist("ipam_group_commit_batch_size", ""); n != 2 || sum != 6 {
		t.Errorf("batch sizes: %d samples summing %v, want 2 summing 6", n, sum)
	}
	if n, sum := hist("ipam_pool_rebuild_duration_seconds", ""); n != 1 || !near(sum, 0.25) {
		t.Errorf("pool rebuild: %d samples summing %v, want 1 summing 0.25", n, sum)
	}

	problems, err := testutil.GatherAndLint(reg)
	if err != nil {
		t.Fatal(err)
	}
	checkLint(t, problems)
}

// Label values outside the bounded sets fold into "other" and "error":
// however many distinct strings callers pass, the series stay 8 x 7.
func TestMetricsLabelsBounded(t *testing.T) {
	st, _ := storetest.DemoRecorded(t)
	m, _ := newMetrics(t, st)
	for i := range 100 {
		m.ObserveRequest(fmt.Sprintf("op-%d", i), fmt.Sprintf("10.0.0.%d", i), time.Millisecond)
	}
	e := scrape(t, m.Handler())
	if got := len(e.series(t, "ipam_requests_total")); got != 8*7 {
		t.Errorf("%d request series, want 56", got)
	}
	if got := e.value(t, "ipam_requests_total", "op=other,result=error"); got != 100 {
		t.Errorf("op=other,result=error = %v, want 100", got)
	}
	if got := len(e["ipam_request_duration_seconds"].GetMetric()); got != 1 {
		t.Errorf("%d latency series, want 1 (op=other)", got)
	}
	// No usage gauge is labelled by address, node or container.
	for name, f := range e {
		if !strings.HasPrefix(name, "ipam_") {
			continue
		}
		for _, s := range f.GetMetric() {
			for _, l := range s.GetLabel() {
				switch l.GetName() {
				case "tor_id", "purpose", "family", "subnet_cidr", "zone_id", "pod_id", "op", "result":
				default:
					t.Errorf("%s has label %s", name, l.GetName())
				}
			}
		}
	}
}

// A nil *Metrics records nothing and does not panic.
func TestMetricsNil(t *testing.T) {
	var m *server.Metrics
	m.ObserveRequest(server.OpAllocate, server.ResultOK, time.Millisecond)
	m.Allocated(1)
	m.Released(1)
	m.ObserveBatch(1)
	m.Conflict()
	m.Retry()
	m.StoreError()
	m.PoolRebuild(time.Second)
}

// NewRegistry adds the Go and process collectors, and NewMetrics fits
// beside them.
func TestMetricsNewRegistry(t *testing.T) {
	st, _ := storetest.DemoRecorded(t)
	reg := server.NewRegistry()
	m := server.NewMetrics(reg, st)
	e := scrape(t, m.Handler())
	for _, name := range []string{"go_goroutines", "process_resident_memory_bytes", "ipam_tor_ip_used"} {
		if e[name] == nil {
			t.Errorf("%s is missing", name)
		}
	}
}

// Two sets of metrics on one registry are a programming error.
func TestMetricsTwiceOnOneRegistry(t *testing.T) {
	st, _ := storetest.DemoRecorded(t)
	reg := prometheus.NewRegistry()
	server.NewMetrics(reg, st)
	defer func() {
		if recover() == nil {
			t.Error("a second NewMetrics on the same registry did not panic")
		}
	}()
	server.NewMetrics(reg, st)
}

func TestResultOf(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, c := range []struct {
		err  error
		want string
	}{
		{nil, server.ResultOK},
		{topo.Errorf(topo.ErrConflict, "address taken"), server.ResultConflict},
		{fmt.Errorf("allocate: %w", &store.ConflictError{Constraint: "UNIQUE constraint failed: allocations.address"}), server.ResultConflict},
		{topo.Errorf(topo.ErrExhausted, "tor-1 is full"), server.ResultExhausted},
		{topo.Errorf(topo.ErrInvalid, "bad family"), server.ResultInvalid},
		{fmt.Errorf("static: %w", &alloc.NotInRangeError{Addr: netip.MustParseAddr("10.0.0.1"), Prefix: netip.MustParsePrefix("10.1.0.0/24")}), server.ResultInvalid},
		{topo.Errors{{Msg: "bad"}}, server.ResultInvalid},
		{topo.Errorf(topo.ErrNotFound, "no node"), server.ResultNotFound},
		{fmt.Errorf("write: %w", topo.ErrUnavailable), server.ResultUnavailable},
		{fmt.Errorf("wait: %w", context.DeadlineExceeded), server.ResultUnavailable},
		{ctx.Err(), server.ResultUnavailable},
		{fmt.Errorf("write: %w", store.ErrReadOnly), server.ResultError},
		{fmt.Errorf("write: %w", store.ErrNoSpace), server.ResultError},
		{store.ErrCorrupt, server.ResultError},
		{errors.New("something else"), server.ResultError},
	} {
		if got := server.ResultOf(c.err); got != c.want {
			t.Errorf("ResultOf(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }
