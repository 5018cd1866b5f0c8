package server

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/netipam/netipam/ipam/local"
	"github.com/netipam/netipam/store"
)

// expansionCollector exports ipam_expansion_blocked{tor_id,purpose}: 1 for
// every TOR and purpose that needs a block its pod cannot give
// (local.ExpansionBlocked), read from the store at scrape time, so that it says
// so as soon as the threshold is reached, whoever allocated.
type expansionCollector struct {
	st      *store.Store
	timeout time.Duration
	mu      sync.Mutex
	blocked *prometheus.Desc
}

func newExpansionCollector(st *store.Store, timeout time.Duration) *expansionCollector {
	return &expansionCollector{st: st, timeout: timeout,
		blocked: prometheus.NewDesc("ipam_expansion_blocked",
			"1 for a TOR and purpose whose subnets need a new block (past the expansion threshold or below min_available) that the pod cannot give.",
			[]string{"tor_id", "purpose"}, nil)}
}

func (c *expansionCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.blocked }

func (c *expansionCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	bs, err := local.ExpansionBlocked(ctx, c.st)
	if err != nil {
		return // the usage collector's failed read of the same store counts the store error
	}
	seen := map[[2]string]bool{}
	for _, b := range bs {
		k := [2]string{b.TOR, b.Purpose}
		if !seen[k] { // both families blocked: one series
			seen[k] = true
			ch <- prometheus.MustNewConstMetric(c.blocked, prometheus.GaugeValue, 1, b.TOR, b.Purpose)
		}
	}
}
