package cmd

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/netipam/netipam/ipam/local"
	"github.com/netipam/netipam/store"
)

// newReportCmd groups the canned reports: leaks (gc's candidates), nodes
// (allocations per node and purpose) and forecast (time until full).
func newReportCmd(a *app) *cobra.Command {
	c := &cobra.Command{
		Use:   "report",
		Short: "Canned reports: leaks, nodes, forecast (through --server too)",
		Args:  cobra.NoArgs,
	}
	c.AddCommand(newReportLeaksCmd(a), newReportNodesCmd(a), newReportForecastCmd(a))
	return c
}

// reporter gives the reports of the server --server names, else of the
// store, read-only.
func (a *app) reporter(ctx context.Context) (local.Reporter, error) {
	svc, err := a.service(ctx, store.ModeReadOnly)
	if err != nil {
		return nil, err
	}
	r, ok := svc.(local.Reporter)
	if !ok {
		return nil, usagef("report: this service has no reports")
	}
	return r, nil
}
