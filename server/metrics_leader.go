package server

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/netipam/netipam/store"
)

// leaderCollector exports ipam_store_leader_reachable for a store on
// rqlite, asked at every scrape (store.LeaderReachable: does a member the
// URL names know a leader?). A SQLite server does not register it.
type leaderCollector struct {
	st      *store.Store
	timeout time.Duration
	desc    *prometheus.Desc
}

func newLeaderCollector(st *store.Store, timeout time.Duration) *leaderCollector {
	return &leaderCollector{st: st, timeout: timeout, desc: prometheus.NewDesc("ipam_store_leader_reachable",
		"1 when a member of the rqlite cluster this server's store URL names knows a leader, else 0 (absent for SQLite).",
		nil, nil)}
}

func (c *leaderCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *leaderCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	v := 0.0
	if c.st.LeaderReachable(ctx) {
		v = 1
	}
	ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, v)
}
