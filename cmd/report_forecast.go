package cmd

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/cmd/server"
	"github.com/netipam/netipam/store"
)

// DefaultThreshold is the expansion threshold a forecast measures against
// when none is given.
const DefaultThreshold = 0.8

// forecastJSON is `report forecast -o json`.
type forecastJSON struct {
	At        time.Time         `json:"at"`
	Window    string            `json:"window"`
	Threshold float64           `json:"threshold"`
	Rows      []forecastRowJSON `json:"rows"`
}

// forecastRowJSON is a row; a time is seconds from now, null for never.
type forecastRowJSON struct {
	alloc.ForecastRow
	ToThreshold *int64 `json:"to_threshold_seconds"`
	ToFull      *int64 `json:"to_full_seconds"`
	PodToFull   *int64 `json:"pod_to_full_seconds"`
}

func seconds(d *time.Duration) *int64 {
	if d == nil {
		return nil
	}
	s := int64(*d / time.Second)
	return &s
}

func newReportForecastCmd(a *app) *cobra.Command {
	var window string
	var threshold float64
	c := &cobra.Command{
		Use:   "forecast [--window 7d] [--threshold 0.8]",
		Short: "Time until each TOR's purpose passes its threshold, and until it and its pod are full",
		Long: `For each TOR, purpose and family: the net allocation rate over the window
(allocate events less release and gc events, per day, from the ledger) and,
at that rate, the time until its use passes the expansion threshold, until
the TOR is full and until its pod is (the pod's free addresses over the
pod's rate). Soonest first; "never" for a rate of zero or less, "now" for
what is already past.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			win, err := parseWindow(window)
			if err != nil {
				return err
			}
			if threshold <= 0 || threshold > 1 {
				return usagef("--threshold %g: give a ratio above 0 and at most 1 (e.g. 0.8)", threshold)
			}
			st, err := a.openRead(c.Context())
			if err != nil {
				return err
			}
			ctx := c.Context()
			now := st.Now()
			subnets, err := st.Subnets(ctx, store.SubnetFilter{})
			if err != nil {
				return err
			}
			pods, err := st.PodPrefixes(ctx)
			if err != nil {
				return err
			}
			counts, err := st.EventCounts(ctx, now.Add(-win), now)
			if err != nil {
				return err
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
			rows, err := alloc.Forecast(alloc.ForecastInput{Window: win, Threshold: threshold,
				Subnets: server.SubnetUses(subnets), PodPrefixes: pods, Flows: flows})
			if err != nil {
				return err
			}
			return a.printForecast(now, window, threshold, rows)
		},
	}
	c.Flags().StringVar(&window, "window", "7d", "how far back the ledger is read: days (7d) or a duration (36h)")
	c.Flags().Float64Var(&threshold, "threshold", DefaultThreshold, "the expansion threshold, a ratio of capacity")
	return c
}

func (a *app) printForecast(now time.Time, window string, threshold float64, rows []alloc.ForecastRow) error {
	if a.json() {
		j := forecastJSON{At: now.UTC(), Window: window, Threshold: threshold, Rows: make([]forecastRowJSON, len(rows))}
		for i, r := range rows {
			j.Rows[i] = forecastRowJSON{ForecastRow: r, ToThreshold: seconds(r.ToThreshold), ToFull: seconds(r.ToFull),
				PodToFull: seconds(r.PodToFull)}
		}
		return a.printJSON(j)
	}
	table := make([][]string, len(rows))
	uses := make([]useCell, len(rows))
	for i, r := range rows {
		uses[i] = useCell{used: r.Used, capacity: r.Capacity}
		table[i] = []string{r.TOR, r.Pod, r.Purpose, fmt.Sprintf("IPv%d", r.Family), a.count(r.Used), a.total(r.Capacity),
			"", strconv.FormatFloat(r.PerDay, 'f', 1, 64), eta(r.ToThreshold), eta(r.ToFull), eta(r.PodToFull)}
	}
	return a.printUseTable([]string{"TOR", "POD", "PURPOSE", "FAMILY", "USED", "CAPACITY", "USE", "NET/DAY",
		fmt.Sprintf("TO %.0f%%", threshold*100), "TO FULL", "POD FULL"}, table, 6, uses, threshold)
}

// eta writes an estimate: never, now, or days, hours and minutes.
func eta(d *time.Duration) string {
	switch {
	case d == nil:
		return "never"
	case *d == 0:
		return "now"
	}
	return age(int64(*d / time.Second))
}

// parseWindow reads --window: whole or fractional days ("7d", "1.5d") or
// a Go duration ("36h").
func parseWindow(s string) (time.Duration, error) {
	var d time.Duration
	if n, ok := strings.CutSuffix(s, "d"); ok {
		f, err := strconv.ParseFloat(n, 64)
		if err != nil {
			return 0, usagef("--window %q: give days (7d) or a duration (36h)", s)
		}
		d = time.Duration(f * 24 * float64(time.Hour))
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, usagef("--window %q: give days (7d) or a duration (36h)", s)
		}
	}
	if d <= 0 || d > 3650*24*time.Hour {
		return 0, usagef("--window %q: give a window above zero and at most 3650d", s)
	}
	return d, nil
}
