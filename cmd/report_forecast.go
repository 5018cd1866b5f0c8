package cmd

import (
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/netipam/netipam/ipam/local"
	"github.com/netipam/netipam/topo"
)

// DefaultThreshold is the expansion threshold usage bars are coloured by.
const DefaultThreshold = local.DefaultThreshold

func newReportForecastCmd(a *app) *cobra.Command {
	var window topo.Duration
	_ = window.Set(local.DefaultWindow)
	var threshold float64
	c := &cobra.Command{
		Use:   "forecast [--window 7d] [--threshold R]",
		Short: "Time until each TOR's purpose passes its threshold, and until it and its pod are full",
		Long: `For each TOR, purpose and family: the net allocation rate over the window
(allocate events less release and gc events, per day, from the ledger) and,
at that rate, the time until its use passes the expansion threshold, until
the TOR is full and until its pod is (the pod's free addresses over the
pod's rate). Soonest first; "never" for a rate of zero or less (or beyond a
century), "now" for what is already past.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			req := local.ForecastRequest{Window: topo.FormatDuration(window.D()), Threshold: threshold}
			if _, err := local.ParseWindow(req.Window); err != nil {
				return usagef("--window: %w", err)
			}
			if err := req.Validate(); err != nil {
				return usagef("--threshold: %w", err)
			}
			r, err := a.reporter(c.Context())
			if err != nil {
				return err
			}
			rep, err := r.Forecast(c.Context(), req)
			if err != nil {
				return err
			}
			return a.printForecast(rep)
		},
	}
	c.Flags().Var(&window, "window", "how far back the ledger is read (7d, 36h, 1d12h)")
	c.Flags().Float64Var(&threshold, "threshold", 0, "the threshold to forecast, a ratio of capacity (default: the topology's expansion threshold, 0.8 unless set)")
	return c
}

func (a *app) printForecast(rep local.ForecastReport) error {
	if a.json() {
		return a.printJSON(rep)
	}
	table := make([][]string, len(rep.Rows))
	uses := make([]useCell, len(rep.Rows))
	for i, r := range rep.Rows {
		th, full, pod := r.Durations()
		uses[i] = useCell{used: r.Used, capacity: r.Capacity}
		table[i] = []string{r.TOR, r.Pod, r.Purpose, fmt.Sprintf("IPv%d", r.Family), a.count(r.Used), a.total(r.Capacity),
			"", strconv.FormatFloat(r.PerDay, 'f', 1, 64), eta(th), eta(full), eta(pod)}
	}
	return a.printUseTable([]string{"TOR", "POD", "PURPOSE", "FAMILY", "USED", "CAPACITY", "USE", "NET/DAY",
		fmt.Sprintf("TO %.0f%%", rep.Threshold*100), "TO FULL", "POD FULL"}, table, 6, uses, rep.Threshold)
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
