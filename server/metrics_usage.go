package server

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

// UsageSource is what the topology and usage gauges read at scrape time;
// *store.Store is one.
type UsageSource interface {
	Subnets(ctx context.Context, f topo.SubnetFilter) ([]topo.SubnetRow, error)
	Nodes(ctx context.Context, f store.NodeFilter) ([]store.NodeRow, error)
	LoadTopology(ctx context.Context) (*topo.Topology, error)
}

var _ UsageSource = (*store.Store)(nil)

// usageCollector computes the design notes' topology and usage gauges
// (section 8) from the store at every scrape, rather than from a snapshot
// refreshed on a timer: the figures are then those of the store when
// Prometheus asks, whoever wrote them (CLI processes, other servers on the
// same rqlite cluster), with no goroutine to start and stop. A scrape costs
// three indexed reads (subnets with their counts, nodes, topology), bounded
// by timeout; concurrent scrapes wait for each other rather than pile on
// the store. The three reads are not one snapshot, which gauges tolerate.
//
// Capacities are float64: a TOR with IPv6 /64 subnets holds more than 2^64
// addresses, which a float counts to 53 significant bits.
type usageCollector struct {
	src     UsageSource
	timeout time.Duration
	onError func() // counts a failed read as a store error
	mu      sync.Mutex

	torSubnets, torCapacity, torUsed, torAvailable *prometheus.Desc
	purposeCapacity, purposeUsed                   *prometheus.Desc
	subnetRatio, subnetAllocs                      *prometheus.Desc
	zones, pods, tors, nodes                       *prometheus.Desc
	success, duration                              *prometheus.Desc
	pool                                           poolDescs
}

func newUsageCollector(src UsageSource, timeout time.Duration, onError func()) *usageCollector {
	d := prometheus.NewDesc
	return &usageCollector{
		src:     src,
		timeout: timeout,
		onError: onError,
		torSubnets: d("ipam_tor_subnets_total", "Subnets a TOR owns, by purpose.",
			[]string{"tor_id", "purpose"}, nil),
		torCapacity: d("ipam_tor_ip_capacity", "Addresses a TOR's subnets can hand out (less network, broadcast, gateway and excluded addresses; IPv4 and IPv6 together).",
			[]string{"tor_id"}, nil),
		torUsed: d("ipam_tor_ip_used", "Addresses allocated from a TOR's subnets.",
			[]string{"tor_id"}, nil),
		torAvailable: d("ipam_tor_ip_available", "Addresses a TOR's subnets can still hand out (capacity less used).",
			[]string{"tor_id"}, nil),
		purposeCapacity: d("ipam_tor_purpose_ip_capacity", "Addresses a TOR's subnets of one purpose and family can hand out: what alerts on IPv4 exhaustion need, since a dual-stack TOR's ipam_tor_ip_capacity is mostly IPv6.",
			[]string{"tor_id", "purpose", "family"}, nil),
		purposeUsed: d("ipam_tor_purpose_ip_used", "Addresses allocated from a TOR's subnets of one purpose and family.",
			[]string{"tor_id", "purpose", "family"}, nil),
		subnetRatio: d("ipam_subnet_usage_ratio", "Allocated share of a subnet's capacity, 0 to 1 (1 when every address is reserved).",
			[]string{"subnet_cidr", "tor_id"}, nil),
		subnetAllocs: d("ipam_subnet_allocations_total", "Addresses allocated from a subnet.",
			[]string{"subnet_cidr"}, nil),
		zones: d("ipam_zones_total", "Zones in the topology.", nil, nil),
		pods: d("ipam_pods_total", "Pods of a zone.",
			[]string{"zone_id"}, nil),
		tors: d("ipam_tors_total", "TORs of a pod (virtual TORs belong to no pod).",
			[]string{"pod_id"}, nil),
		nodes: d("ipam_nodes_total", "Nodes registered behind a TOR (virtual TORs included).",
			[]string{"tor_id"}, nil),
		success: d("ipam_usage_scrape_success", "1 when this scrape read the topology and usage gauges from the store, 0 when it failed (they are then absent).",
			nil, nil),
		duration: d("ipam_usage_scrape_duration_seconds", "Time this scrape took to read the topology and usage gauges from the store.",
			nil, nil),
		pool: newPoolDescs(),
	}
}

// Describe sends every descriptor.
func (c *usageCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.torSubnets, c.torCapacity, c.torUsed, c.torAvailable,
		c.purposeCapacity, c.purposeUsed, c.subnetRatio, c.subnetAllocs, c.zones, c.pods, c.tors, c.nodes, c.success, c.duration} {
		ch <- d
	}
	c.pool.describe(ch)
}

// Collect reads the store and sends the gauges; when a read fails it sends
// only ipam_usage_scrape_success 0 (and the duration), so that the
// operational metrics are still served.
func (c *usageCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	start := time.Now()
	ms, err := c.read(ctx)
	ok := 1.0
	if err != nil {
		ok, ms = 0, nil
		c.onError()
	}
	for _, m := range ms {
		ch <- m
	}
	ch <- prometheus.MustNewConstMetric(c.success, prometheus.GaugeValue, ok)
	ch <- prometheus.MustNewConstMetric(c.duration, prometheus.GaugeValue, time.Since(start).Seconds())
}

// torUsage sums a TOR's subnets.
type torUsage struct {
	capacity, used float64
	subnets        map[string]int // by purpose
	byPurpose      map[purposeFamily]*[2]float64
}

// purposeFamily keys a TOR's sums by purpose and family; at [0] capacity,
// at [1] used.
type purposeFamily struct {
	purpose string
	family  topo.Family
}

// read computes every gauge, or fails whole.
func (c *usageCollector) read(ctx context.Context) ([]prometheus.Metric, error) {
	subnets, err := c.src.Subnets(ctx, topo.SubnetFilter{})
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	nodes, err := c.src.Nodes(ctx, store.NodeFilter{})
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	t, err := c.src.LoadTopology(ctx)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) prometheus.Metric {
		return prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	var out []prometheus.Metric

	// Every TOR has its gauges, a declared TOR without subnets or nodes too.
	tors := map[string]*torUsage{}
	tor := func(id string) *torUsage {
		u := tors[id]
		if u == nil {
			u = &torUsage{subnets: map[string]int{}, byPurpose: map[purposeFamily]*[2]float64{}}
			tors[id] = u
		}
		return u
	}
	pools := map[poolKey]*[2]float64{}
	for _, r := range subnets {
		capacity, err := alloc.Capacity(r.Subnet)
		if err != nil {
			return nil, fmt.Errorf("metrics: capacity of %s: %w", r.CIDR, err)
		}
		if r.Level.Rank() > 0 { // a pod's or zone's own subnet: no TOR's
			poolSums(pools, r, capacity)
			out = append(out, gauge(c.subnetRatio, usedRatio(r.Used, capacity), r.CIDR.String(), store.PoolOwner(r.Level, poolOwner(r))),
				gauge(c.subnetAllocs, float64(r.Used), r.CIDR.String()))
			continue
		}
		u := tor(r.TOR)
		u.capacity += float64(capacity)
		u.used += float64(r.Used)
		u.subnets[r.Purpose]++
		k := purposeFamily{r.Purpose, topo.FamilyOfPrefix(r.CIDR)}
		pf := u.byPurpose[k]
		if pf == nil {
			pf = &[2]float64{}
			u.byPurpose[k] = pf
		}
		pf[0] += float64(capacity)
		pf[1] += float64(r.Used)
		ratio := 1.0
		if capacity > 0 {
			ratio = float64(r.Used) / float64(capacity)
		}
		cidr := r.CIDR.String()
		out = append(out, gauge(c.subnetRatio, ratio, cidr, r.TOR), gauge(c.subnetAllocs, float64(r.Used), cidr))
	}
	out = append(out, c.pool.metrics(pools)...)
	out = append(out, gauge(c.zones, float64(len(t.Zones))))
	for _, z := range t.Zones {
		out = append(out, gauge(c.pods, float64(len(z.Pods)), z.ID))
		for _, p := range z.Pods {
			out = append(out, gauge(c.tors, float64(len(p.TORs)), p.ID))
			for _, tr := range p.TORs {
				tor(tr.ID)
			}
		}
	}
	perTOR := map[string]int{}
	for _, n := range nodes {
		tor(n.TOR)
		perTOR[n.TOR]++
	}
	for id, u := range tors {
		out = append(out,
			gauge(c.torCapacity, u.capacity, id),
			gauge(c.torUsed, u.used, id),
			gauge(c.torAvailable, max(u.capacity-u.used, 0), id),
			gauge(c.nodes, float64(perTOR[id]), id))
		for purpose, n := range u.subnets {
			out = append(out, gauge(c.torSubnets, float64(n), id, purpose))
		}
		for k, pf := range u.byPurpose {
			fam := strconv.Itoa(int(k.family))
			out = append(out, gauge(c.purposeCapacity, pf[0], id, k.purpose, fam),
				gauge(c.purposeUsed, pf[1], id, k.purpose, fam))
		}
	}
	return out, nil
}
