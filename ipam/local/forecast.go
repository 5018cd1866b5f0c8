package local

import (
	"context"
	"fmt"
	"time"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/ipam"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

// DefaultThreshold is the expansion threshold a forecast measures against
// when none is given.
const DefaultThreshold = topo.DefaultThreshold

// DefaultWindow is how far back a forecast reads the ledger by default.
const DefaultWindow = "7d"

// ForecastRequest is `netipam report forecast` (GET /v1/report/forecast).
type ForecastRequest struct {
	Window    string  // days ("7d") or a Go duration ("36h"); empty: DefaultWindow
	Threshold float64 // 0: the topology's expansion threshold
}

// ForecastReport is the forecast as `-o json` prints it and the API
// answers; a time is seconds from At, null for never.
type ForecastReport struct {
	At        time.Time         `json:"at"`
	Window    string            `json:"window"`
	Threshold float64           `json:"threshold"`
	Rows      []ForecastRowJSON `json:"rows"`
}

// ForecastRowJSON is one row of a ForecastReport.
type ForecastRowJSON struct {
	alloc.ForecastRow
	ToThreshold *int64 `json:"to_threshold_seconds"`
	ToFull      *int64 `json:"to_full_seconds"`
	PodToFull   *int64 `json:"pod_to_full_seconds"`
}

// Durations gives the row's times back as durations (nil: never).
func (r ForecastRowJSON) Durations() (threshold, full, podFull *time.Duration) {
	d := func(s *int64) *time.Duration {
		if s == nil {
			return nil
		}
		v := time.Duration(*s) * time.Second
		return &v
	}
	return d(r.ToThreshold), d(r.ToFull), d(r.PodToFull)
}

func seconds(d *time.Duration) *int64 {
	if d == nil {
		return nil
	}
	s := int64(*d / time.Second)
	return &s
}

// Validate checks a forecast request, the one check the CLI, the HTTP API
// and RunForecast make: a window ParseWindow reads (or none), and a
// threshold of 0 (the topology's) or a finite ratio above 0 and at most 1.
func (r ForecastRequest) Validate() error {
	if r.Window != "" {
		if _, err := ParseWindow(r.Window); err != nil {
			return err
		}
	}
	if r.Threshold != 0 && !(r.Threshold > 0 && r.Threshold <= 1) { // NaN fails both
		return topo.Errorf(topo.ErrInvalid, "threshold %g: give a ratio above 0 and at most 1 (e.g. 0.8)", r.Threshold)
	}
	return nil
}

// MaxWindow bounds a forecast window: ten years of ledger.
const MaxWindow = 3650 * 24 * time.Hour

// ParseWindow reads a forecast window with topo.ParsePositiveDuration
// (7d, 36h, 1d12h), at most MaxWindow.
func ParseWindow(s string) (time.Duration, error) {
	d, err := topo.ParsePositiveDuration(s)
	if err != nil {
		return 0, fmt.Errorf("window: %w", err)
	}
	if d > MaxWindow {
		return 0, topo.Errorf(topo.ErrInvalid, "window %s: at most 3650d of ledger is read", topo.Quote(s))
	}
	return d, nil
}

// RunForecast computes a forecast at the store's time: the subnets' use,
// the pods' prefixes and one indexed window of the ledger, through
// alloc.Forecast.
func RunForecast(ctx context.Context, st *store.Store, req ForecastRequest) (ForecastReport, error) {
	if err := req.Validate(); err != nil {
		return ForecastReport{}, err
	}
	if req.Window == "" {
		req.Window = DefaultWindow
	}
	if req.Threshold == 0 {
		settings, err := st.Expansion(ctx)
		if err != nil {
			return ForecastReport{}, fmt.Errorf("forecast: %w", err)
		}
		req.Threshold = settings.Resolved().Threshold
	}
	win, err := ParseWindow(req.Window)
	if err != nil {
		return ForecastReport{}, err
	}
	if !(req.Threshold > 0 && req.Threshold <= 1) {
		return ForecastReport{}, topo.Errorf(topo.ErrInvalid, "threshold %g: give a ratio above 0 and at most 1 (e.g. 0.8)", req.Threshold)
	}
	now := st.Now()
	subnets, err := st.Subnets(ctx, topo.SubnetFilter{})
	if err != nil {
		return ForecastReport{}, err
	}
	pods, err := st.PodPrefixes(ctx)
	if err != nil {
		return ForecastReport{}, err
	}
	counts, err := st.EventCounts(ctx, now.Add(-win), now)
	if err != nil {
		return ForecastReport{}, err
	}
	flows := map[alloc.RateKey]alloc.Flow{}
	for _, n := range counts {
		k := alloc.RateKey{TOR: n.TOR, Purpose: n.Purpose, Family: n.Family()}
		f := flows[k]
		if n.Kind == "allocate" {
			f.Allocated += n.N
		} else {
			f.Released += n.N
		}
		flows[k] = f
	}
	rows, err := alloc.Forecast(alloc.ForecastInput{Window: win, Threshold: req.Threshold,
		Subnets: ipam.SubnetUses(subnets), PodPrefixes: pods, Flows: flows})
	if err != nil {
		return ForecastReport{}, err
	}
	rep := ForecastReport{At: now.UTC(), Window: req.Window, Threshold: req.Threshold, Rows: make([]ForecastRowJSON, len(rows))}
	for i, r := range rows {
		rep.Rows[i] = ForecastRowJSON{ForecastRow: r, ToThreshold: seconds(r.ToThreshold), ToFull: seconds(r.ToFull),
			PodToFull: seconds(r.PodToFull)}
	}
	return rep, nil
}
