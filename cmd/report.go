package cmd

import "github.com/spf13/cobra"

// newReportCmd groups the canned reports: leaks (gc's candidates), nodes
// (allocations per node and purpose) and forecast (time until full).
func newReportCmd(a *app) *cobra.Command {
	c := &cobra.Command{
		Use:   "report",
		Short: "Canned reports: leaks, nodes, forecast",
		Args:  cobra.NoArgs,
	}
	c.AddCommand(newReportLeaksCmd(a), newReportNodesCmd(a), newReportForecastCmd(a))
	return c
}
