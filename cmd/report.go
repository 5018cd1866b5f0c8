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

// operator gives the data-changing use cases beyond allocation of the
// server --server names, else of the store (opened as mode allows).
func (a *app) operator(ctx context.Context, mode store.Mode) (local.Operator, error) {
	svc, err := a.service(ctx, mode)
	if err != nil {
		return nil, err
	}
	op, ok := svc.(local.Operator)
	if !ok {
		return nil, usagef("this service does not change the topology's data")
	}
	return op, nil
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
