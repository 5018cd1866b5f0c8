package server

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

// Metrics are the server's Prometheus metrics: the topology and usage
// gauges, read from the store at scrape time (usageCollector), and the
// operational counters and histograms the server moves as it works. Every
// label takes a bounded set of values: operation and result names, TOR,
// pod, zone and subnet IDs, never an address, a node or a container.
//
// A nil *Metrics is valid and records nothing, so code paths and tests that
// have no metrics need not check.
type Metrics struct {
	reg *prometheus.Registry

	requests  *prometheus.CounterVec   // ipam_requests_total{op,result}
	latency   *prometheus.HistogramVec // ipam_request_duration_seconds{op}
	allocated prometheus.Counter       // ipam_addresses_allocated_total
	released  prometheus.Counter       // ipam_addresses_released_total
	batch     prometheus.Histogram     // ipam_group_commit_batch_size
	conflicts prometheus.Counter       // ipam_conflicts_total
	retries   prometheus.Counter       // ipam_retries_total
	storeErrs prometheus.Counter       // ipam_store_errors_total
	rebuild   prometheus.Histogram     // ipam_pool_rebuild_duration_seconds
}

// Operations, the values of the op label. Anything else counts as OpOther.
const (
	OpAllocate    = "allocate"
	OpRelease     = "release"
	OpAllocations = "allocations"
	OpSubnets     = "subnets"
	OpNodeTOR     = "node_tor"
	OpUsage       = "usage"
	OpTopology    = "topology"
	OpOther       = "other"
)

// Results, the values of the result label (ResultOf gives them).
const (
	ResultOK          = "ok"
	ResultConflict    = "conflict"
	ResultExhausted   = "exhausted"
	ResultInvalid     = "invalid"
	ResultNotFound    = "not_found"
	ResultUnavailable = "unavailable"
	ResultError       = "error"
)

var (
	ops     = []string{OpAllocate, OpRelease, OpAllocations, OpSubnets, OpNodeTOR, OpUsage, OpTopology, OpOther}
	results = []string{ResultOK, ResultConflict, ResultExhausted, ResultInvalid, ResultNotFound, ResultUnavailable, ResultError}
)

// DefaultScrapeTimeout bounds the store reads of one scrape.
const DefaultScrapeTimeout = 10 * time.Second

// NewRegistry returns a registry with the Go runtime and process
// collectors, for a server to pass to NewMetrics.
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// NewMetrics defines netipam's metrics on reg: the topology and usage
// gauges read from src at every scrape (within DefaultScrapeTimeout), and
// the operational metrics. It panics if reg already holds metrics of the
// same names (a programming error, as with prometheus.MustRegister).
func NewMetrics(reg *prometheus.Registry, src UsageSource) *Metrics {
	m := &Metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ipam_requests_total",
			Help: "Requests answered, by operation and result (ok, conflict, exhausted, invalid, not_found, unavailable, error).",
		}, []string{"op", "result"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "ipam_request_duration_seconds",
			Help:    "Time to answer a request, by operation, until its change is durable.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2, 16), // 100us .. 3.3s
		}, []string{"op"}),
		allocated: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ipam_addresses_allocated_total",
			Help: "Addresses handed out (a request may take several).",
		}),
		released: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ipam_addresses_released_total",
			Help: "Addresses released (release and gc).",
		}),
		batch: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "ipam_group_commit_batch_size",
			Help:    "Requests written together in one group commit (one SQLite transaction or one rqlite request).",
			Buckets: prometheus.ExponentialBuckets(1, 2, 11), // 1 .. 1024
		}),
		conflicts: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ipam_conflicts_total",
			Help: "Writes the store refused with a constraint (an address another writer took first).",
		}),
		retries: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ipam_retries_total",
			Help: "Attempts made again after a conflict or a busy store.",
		}),
		storeErrs: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ipam_store_errors_total",
			Help: "Store operations that failed for a reason other than a conflict.",
		}),
		rebuild: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "ipam_pool_rebuild_duration_seconds",
			Help:    "Time to rebuild pools from the allocations table (all at start-up, one after a conflict).",
			Buckets: prometheus.ExponentialBuckets(0.001, 4, 9), // 1ms .. 65s
		}),
	}
	reg.MustRegister(m.requests, m.latency, m.allocated, m.released, m.batch,
		m.conflicts, m.retries, m.storeErrs, m.rebuild,
		newUsageCollector(src, DefaultScrapeTimeout, m.storeErrs.Inc))
	if st, ok := src.(*store.Store); ok {
		reg.MustRegister(newExpansionCollector(st, DefaultScrapeTimeout),
			newTORCollector(st, DefaultScrapeTimeout), newForecastCollector(st, DefaultScrapeTimeout))
		if st.Clustered() {
			reg.MustRegister(newLeaderCollector(st, DefaultScrapeTimeout))
		}
	}
	// Every (op, result) pair exists from the start, so that rate() and
	// alerts see a zero rather than no series.
	for _, op := range ops {
		for _, r := range results {
			m.requests.WithLabelValues(op, r)
		}
	}
	return m
}

// Handler serves the registry's metrics on GET /metrics, 405 for another
// method there and 404 on any other path. A scrape whose store reads fail still serves the operational
// metrics; ipam_usage_scrape_success says so.
func (m *Metrics) Handler() http.Handler {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorHandling: promhttp.ContinueOnError,
		Timeout:       DefaultScrapeTimeout + 5*time.Second,
	})
	mux := http.NewServeMux()
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "metrics: method "+r.Method+" not allowed: use GET", http.StatusMethodNotAllowed)
			return
		}
		h.ServeHTTP(w, r)
	})
	mux.Handle("/", http.NotFoundHandler())
	return mux
}

// ObserveRequest counts a request of operation op (OpAllocate, ...) that
// ended with result (ResultOf) and took d. Unknown operations count as
// OpOther, unknown results as ResultError, so the label sets stay bounded.
func (m *Metrics) ObserveRequest(op, result string, d time.Duration) {
	if m == nil {
		return
	}
	op, result = bounded(op, ops, OpOther), bounded(result, results, ResultError)
	m.requests.WithLabelValues(op, result).Inc()
	m.latency.WithLabelValues(op).Observe(d.Seconds())
}

// Allocated counts n addresses handed out.
func (m *Metrics) Allocated(n int) {
	if m != nil && n > 0 {
		m.allocated.Add(float64(n))
	}
}

// Released counts n addresses released.
func (m *Metrics) Released(n int) {
	if m != nil && n > 0 {
		m.released.Add(float64(n))
	}
}

// ObserveBatch records one group commit of requests requests.
func (m *Metrics) ObserveBatch(requests int) {
	if m != nil {
		m.batch.Observe(float64(requests))
	}
}

// Conflict counts one write the store refused with a constraint.
func (m *Metrics) Conflict() {
	if m != nil {
		m.conflicts.Inc()
	}
}

// Retry counts one attempt made again.
func (m *Metrics) Retry() {
	if m != nil {
		m.retries.Inc()
	}
}

// StoreError counts one failed store operation (not a conflict).
func (m *Metrics) StoreError() {
	if m != nil {
		m.storeErrs.Inc()
	}
}

// PoolRebuild records one rebuild of pools that took d.
func (m *Metrics) PoolRebuild(d time.Duration) {
	if m != nil {
		m.rebuild.Observe(d.Seconds())
	}
}

// ResultOf maps an error to its result label: nil is ResultOK, any other
// error the result of its kind (topo.Kinds: a context deadline or
// cancellation is unavailable; a store that is missing, full, read-only
// or corrupt, and any error of no kind, is ResultError).
func ResultOf(err error) string {
	if err == nil {
		return ResultOK
	}
	return topo.KindOf(err).Result // topo.Kinds, the one table
}

func bounded(v string, set []string, other string) string {
	for _, s := range set {
		if v == s {
			return v
		}
	}
	return other
}
