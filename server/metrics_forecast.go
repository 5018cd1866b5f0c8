package server

import (
	"context"
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/netipam/netipam/ipam/local"
	"github.com/netipam/netipam/store"
)

// forecastEvery is how long a forecast is served before it is computed
// again: it reads a week of the ledger, and changes by the day, not by
// the scrape.
const forecastEvery = time.Minute

// forecastCollector exports the forecast of `netipam report forecast`
// (RunForecast, its default window and the topology's threshold) as
// gauges, per TOR, purpose and family, and per pod and family:
//
//	ipam_forecast_tor_threshold_seconds: until the TOR's use passes the
//	  expansion threshold;
//	ipam_forecast_tor_full_seconds: until the TOR's subnets are full;
//	ipam_forecast_pod_full_seconds: until the pod's prefixes are full;
//	ipam_forecast_net_rate_per_day: addresses allocated less released per
//	  day over the window.
//
// A time is 0 when already past and +Inf when never (a net rate of zero or
// less), so that every series exists and `< 7 * 86400` is an alert. The
// forecast is computed at a scrape at most every forecastEvery; a failed
// computation serves nothing (ipam_usage_scrape_success tells whether the
// store answers).
type forecastCollector struct {
	st      *store.Store
	timeout time.Duration
	mu      sync.Mutex
	at      time.Time           // when last computed (wall clock)
	last    []prometheus.Metric // what it gave

	threshold, full, podFull, rate *prometheus.Desc
}

func newForecastCollector(st *store.Store, timeout time.Duration) *forecastCollector {
	tor := []string{"tor_id", "purpose", "family"}
	d := prometheus.NewDesc
	return &forecastCollector{st: st, timeout: timeout,
		threshold: d("ipam_forecast_tor_threshold_seconds",
			"Seconds until a TOR's use of a purpose and family passes the expansion threshold at the net rate of the last 7 days (0: past, +Inf: never).",
			tor, nil),
		full: d("ipam_forecast_tor_full_seconds",
			"Seconds until a TOR's subnets of a purpose and family are full at the net rate of the last 7 days, without expansion (0: full, +Inf: never).",
			tor, nil),
		podFull: d("ipam_forecast_pod_full_seconds",
			"Seconds until a pod's prefixes of a family are full at the net rate of its TORs over the last 7 days (0: full, +Inf: never).",
			[]string{"pod_id", "family"}, nil),
		rate: d("ipam_forecast_net_rate_per_day",
			"Addresses of a TOR's purpose and family allocated less those released per day, over the last 7 days.",
			tor, nil),
	}
}

func (c *forecastCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.threshold, c.full, c.podFull, c.rate} {
		ch <- d
	}
}

func (c *forecastCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.last == nil || time.Since(c.at) >= forecastEvery {
		c.last, c.at = c.compute(), time.Now()
	}
	for _, m := range c.last {
		ch <- m
	}
}

// compute runs the forecast and gives its gauges, none when it fails.
func (c *forecastCollector) compute() []prometheus.Metric {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	rep, err := local.RunForecast(ctx, c.st, local.ForecastRequest{})
	if err != nil {
		return nil
	}
	secs := func(d *time.Duration) float64 {
		if d == nil {
			return math.Inf(1)
		}
		return d.Seconds()
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) prometheus.Metric {
		return prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	out := []prometheus.Metric{}
	pods := map[[2]string]bool{}
	for _, r := range rep.Rows {
		fam := strconv.Itoa(r.Family)
		out = append(out, gauge(c.threshold, secs(r.ForecastRow.ToThreshold), r.TOR, r.Purpose, fam),
			gauge(c.full, secs(r.ForecastRow.ToFull), r.TOR, r.Purpose, fam),
			gauge(c.rate, r.PerDay, r.TOR, r.Purpose, fam))
		// Every row of a pod and family carries the pod's figure; a pod
		// without prefixes of the family has none (PodFree 0, never).
		k := [2]string{r.Pod, fam}
		if r.Pod != "" && !pods[k] && (r.PodFree > 0 || r.ForecastRow.PodToFull != nil) {
			pods[k] = true
			out = append(out, gauge(c.podFull, secs(r.ForecastRow.PodToFull), r.Pod, fam))
		}
	}
	return out
}
