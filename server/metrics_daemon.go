package server

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// daemonCollector exports what only the running daemon knows:
//
//	ipam_ready: 1 once the pools are loaded and while the store is the
//	  one opened (what /readyz answers 200 for), else 0;
//	ipam_feed_lag_events: events in the ledger this server's pools have
//	  not applied yet (its change feed's position behind the ledger's
//	  last event); absent until the daemon is ready.
type daemonCollector struct {
	d       *Daemon
	timeout time.Duration
	ready   *prometheus.Desc
	lag     *prometheus.Desc
}

// WatchDaemon adds the gauges of d (ready, change-feed lag) to m's
// registry; call it once, when d is created. A nil *Metrics does nothing.
func (m *Metrics) WatchDaemon(d *Daemon) {
	if m == nil {
		return
	}
	m.reg.MustRegister(&daemonCollector{d: d, timeout: DefaultScrapeTimeout,
		ready: prometheus.NewDesc("ipam_ready",
			"1 when the server is ready (pools loaded, the store the one opened: /readyz answers 200), else 0.", nil, nil),
		lag: prometheus.NewDesc("ipam_feed_lag_events",
			"Ledger events this server's pools have not applied yet: how far its change feed is behind the store.", nil, nil)})
}

func (c *daemonCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.ready
	ch <- c.lag
}

func (c *daemonCollector) Collect(ch chan<- prometheus.Metric) {
	ready := c.d.Ready()
	v := 0.0
	if ready {
		v = 1
	}
	ch <- prometheus.MustNewConstMetric(c.ready, prometheus.GaugeValue, v)
	if !ready {
		return
	}
	if lag, ok := c.feedLag(); ok {
		ch <- prometheus.MustNewConstMetric(c.lag, prometheus.GaugeValue, float64(lag))
	}
}

// feedLag is d.FeedLag within the scrape's time limit; false when it
// failed or took longer (the lag is then left out).
func (c *daemonCollector) feedLag() (int64, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	lag, err := c.d.FeedLag(ctx)
	return lag, err == nil
}
