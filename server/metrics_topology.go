package server

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/netipam/netipam/store"
)

// torCollector exports, read from the store at scrape time, what a
// dashboard and the alerts need of every TOR beside its usage:
//
//	ipam_tor_info{zone_id,pod_id,tor_id} 1: where the TOR sits, so that
//	  a dashboard chains zone > pod > TOR and a query joins TOR gauges to
//	  their pod (virtual TORs have no pod or zone);
//	ipam_gc_candidates{tor_id}: allocations a gc run found missing from
//	  their node's live attachments and has not released yet (leaks, until
//	  the grace period ends or a report releases them).
//
// Two series per TOR, whatever it holds.
type torCollector struct {
	st      *store.Store
	timeout time.Duration
	mu      sync.Mutex
	info    *prometheus.Desc
	gc      *prometheus.Desc
}

func newTORCollector(st *store.Store, timeout time.Duration) *torCollector {
	return &torCollector{st: st, timeout: timeout,
		info: prometheus.NewDesc("ipam_tor_info",
			"1 for every TOR, labelled with its pod and zone (empty for a virtual TOR): the topology a dashboard's zone > pod > TOR variables read.",
			[]string{"zone_id", "pod_id", "tor_id"}, nil),
		gc: prometheus.NewDesc("ipam_gc_candidates",
			"Allocations of a TOR's nodes a gc run found missing from the node's live attachments and has not released yet.",
			[]string{"tor_id"}, nil)}
}

func (c *torCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.info
	ch <- c.gc
}

// Collect sends both gauges of every TOR, or nothing when the store does
// not answer (ipam_usage_scrape_success says so).
func (c *torCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	tors, err := c.st.MonitorTORs(ctx)
	if err != nil {
		return // the usage collector's failed read of the same store counts the store error
	}
	for _, t := range tors {
		ch <- prometheus.MustNewConstMetric(c.info, prometheus.GaugeValue, 1, t.Zone, t.Pod, t.TOR)
		ch <- prometheus.MustNewConstMetric(c.gc, prometheus.GaugeValue, float64(t.GCCandidates), t.TOR)
	}
}
