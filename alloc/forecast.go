package alloc

import (
	"fmt"
	"math"
	"net/netip"
	"sort"
	"time"

	"github.com/netipam/netipam/topo"
)

// A forecast extrapolates the ledger: for each TOR, purpose and family,
// the net allocation rate over a window (addresses allocated less those
// released or collected, per day) and, at that rate, the time until the
// TOR's use passes the expansion threshold, until the TOR is full, and
// until its pod is full. A pod is full when its prefixes have no room
// left, approximated by its free addresses (the size of its prefixes less
// what every subnet in it holds) over the pod's rate (all its TORs and
// purposes of the family).

// RateKey names one TOR's purpose and family.
type RateKey struct {
	TOR     string
	Purpose string
	Family  int
}

// Flow is what the ledger recorded for one key in the window.
type Flow struct {
	Allocated int64 // allocate events
	Released  int64 // release and gc events
}

// ForecastInput is what Forecast reads.
type ForecastInput struct {
	Window    time.Duration
	Threshold float64 // the expansion threshold, a ratio of capacity (0.8)
	Subnets   []SubnetUse
	// PodPrefixes are each pod's prefixes (the pod_cidrs).
	PodPrefixes map[string][]netip.Prefix
	Flows       map[RateKey]Flow
}

// ForecastRow is one TOR's purpose and family. A nil time is "never" (a
// rate of zero or less); zero is "now" (already past).
type ForecastRow struct {
	TOR         string         `json:"tor"`
	Pod         string         `json:"pod,omitempty"`
	Purpose     string         `json:"purpose"`
	Family      int            `json:"family"`
	Used        uint64         `json:"used"`
	Capacity    AddrCount      `json:"capacity"`
	Ratio       float64        `json:"ratio"`
	Allocated   int64          `json:"allocated"`
	Released    int64          `json:"released"`
	PerDay      float64        `json:"per_day"`
	ToThreshold *time.Duration `json:"-"`
	ToFull      *time.Duration `json:"-"`
	PodToFull   *time.Duration `json:"-"`
	PodFree     float64        `json:"pod_free,omitempty"`
}

// Soonest is the row's urgency: its earliest time (threshold or pod full),
// nil when never.
func (r ForecastRow) Soonest() *time.Duration {
	var best *time.Duration
	for _, d := range []*time.Duration{r.ToThreshold, r.ToFull, r.PodToFull} {
		if d != nil && (best == nil || *d < *best) {
			best = d
		}
	}
	return best
}

// maxForecast caps an estimate: past a century it is "never" in practice
// (and a float's seconds would overflow a Duration).
const maxForecast = 100 * 365 * 24 * time.Hour

// Forecast gives a row per TOR, purpose and family that has subnets,
// soonest first, "never" last.
func Forecast(in ForecastInput) ([]ForecastRow, error) {
	if in.Window <= 0 {
		return nil, topo.Errorf(topo.ErrInvalid, "forecast: the window must be positive, not %s", in.Window)
	}
	if in.Threshold <= 0 || in.Threshold > 1 {
		return nil, topo.Errorf(topo.ErrInvalid, "forecast: the threshold %g must be above 0 and at most 1", in.Threshold)
	}
	days := in.Window.Hours() / 24
	type podKey struct {
		pod    string
		family int
	}
	rows := map[RateKey]*ForecastRow{}
	podUsed := map[podKey]float64{}
	podNet := map[podKey]float64{}
	for _, s := range in.Subnets {
		c, err := Capacity(s.Subnet)
		if err != nil {
			return nil, fmt.Errorf("capacity of %s: %w", s.Subnet.CIDR, err)
		}
		k := RateKey{TOR: s.TOR, Purpose: s.Subnet.Purpose, Family: int(topo.FamilyOfPrefix(s.Subnet.CIDR))}
		if s.Level.Rank() > 0 { // a pod's or zone's pool: room of the pod, no TOR's
			if s.Pod != "" {
				podUsed[podKey{s.Pod, k.Family}] += float64(max(s.Used, 0))
			}
			continue
		}
		r := rows[k]
		if r == nil {
			r = &ForecastRow{TOR: k.TOR, Pod: s.Pod, Purpose: k.Purpose, Family: k.Family}
			rows[k] = r
		}
		r.Used += uint64(max(s.Used, 0))
		r.Capacity = r.Capacity.Add(c)
		if s.Pod != "" {
			podUsed[podKey{s.Pod, k.Family}] += float64(max(s.Used, 0))
		}
	}
	for k, r := range rows {
		f := in.Flows[k]
		r.Allocated, r.Released = f.Allocated, f.Released
		r.PerDay = float64(f.Allocated-f.Released) / days
		if r.Pod != "" {
			podNet[podKey{r.Pod, k.Family}] += r.PerDay
		}
		capacity := r.Capacity.Float()
		if capacity > 0 {
			r.Ratio = float64(r.Used) / capacity
		}
		r.ToThreshold = eta(in.Threshold*capacity-float64(r.Used), r.PerDay)
		r.ToFull = eta(capacity-float64(r.Used), r.PerDay)
	}
	for _, r := range rows {
		if r.Pod == "" {
			continue
		}
		pk := podKey{r.Pod, r.Family}
		size := 0.0
		for _, p := range in.PodPrefixes[r.Pod] {
			if int(topo.FamilyOfPrefix(p)) == r.Family {
				size += math.Ldexp(1, p.Addr().BitLen()-p.Bits())
			}
		}
		if size == 0 {
			continue
		}
		r.PodFree = max(size-podUsed[pk], 0)
		r.PodToFull = eta(r.PodFree, podNet[pk])
	}
	out := make([]ForecastRow, 0, len(rows))
	for _, r := range rows {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].Soonest(), out[j].Soonest()
		switch {
		case a != nil && b == nil:
			return true
		case a == nil && b != nil:
			return false
		case a != nil && *a != *b:
			return *a < *b
		}
		x, y := out[i], out[j]
		if x.TOR != y.TOR {
			return x.TOR < y.TOR
		}
		if x.Purpose != y.Purpose {
			return x.Purpose < y.Purpose
		}
		return x.Family < y.Family
	})
	return out, nil
}

// eta is the time to use up left addresses at perDay: zero when none is
// left, nil (never) for a rate of zero or less or past maxForecast.
func eta(left, perDay float64) *time.Duration {
	var d time.Duration
	switch {
	case left <= 0:
	case perDay <= 0:
		return nil
	default:
		days := left / perDay
		if days*24*float64(time.Hour) >= float64(maxForecast) {
			return nil
		}
		d = time.Duration(days * 24 * float64(time.Hour))
	}
	return &d
}
