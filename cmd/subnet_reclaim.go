package cmd

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/netipam/netipam/ipam/local"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

type subnetReclaimOptions struct {
	grace  topo.Duration
	dryRun bool
}

func newSubnetReclaimCmd(a *app) *cobra.Command {
	var o subnetReclaimOptions
	c := &cobra.Command{
		Use:   "reclaim [--grace 24h] [--dry-run]",
		Short: "Return expanded blocks that have been empty for a grace period",
		Long: `Delete the blocks netipam expanded TORs with (never imported or added ones)
that hold no address and whose last allocation or release (or, without any,
their creation) is older than the grace period: --grace, else the topology's
expansion.reclaim_grace (default 24h). One atomic batch; each block is
deleted only if it is still empty and unused since it was listed, and each
deletion is a ledger event.`,
		Example: `  netipam subnet reclaim --dry-run
  netipam subnet reclaim --grace 7d -o json`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error { return runSubnetReclaim(c, a, o) },
	}
	c.Flags().Var(&o.grace, "grace", "how long a block stays empty before it is returned (24h, 90m, 7d; default: expansion.reclaim_grace)")
	c.Flags().BoolVar(&o.dryRun, "dry-run", false, "list what would be returned, change nothing")
	return c
}

func runSubnetReclaim(c *cobra.Command, a *app, o subnetReclaimOptions) error {
	req := local.ReclaimRequest{DryRun: o.dryRun}
	if c.Flags().Changed("grace") {
		if o.grace.D() == 0 {
			return usagef("--grace 0: give a duration above zero, or leave --grace out for expansion.reclaim_grace")
		}
		req.Grace = topo.FormatDuration(o.grace.D())
	}
	mode := store.ModeExisting
	if o.dryRun {
		mode = store.ModeReadOnly
	}
	op, err := a.operator(c.Context(), mode)
	if err != nil {
		return err
	}
	out, err := op.Reclaim(c.Context(), req)
	if err != nil {
		return err
	}
	if a.json() {
		return a.printJSON(out)
	}
	rows := make([][]string, len(out.Blocks))
	for i, b := range out.Blocks {
		rows[i] = []string{b.CIDR.String(), b.TOR, b.Purpose, b.EmptySince.UTC().Format(time.RFC3339)}
	}
	if len(rows) > 0 {
		if err := a.printTable([]string{"BLOCK", "TOR", "PURPOSE", "EMPTY SINCE"}, rows); err != nil {
			return err
		}
	}
	switch {
	case len(out.Blocks) == 0:
		a.say("no expanded block has been empty for %s", out.Grace)
	case o.dryRun:
		a.say("dry run: %d block(s) not returned", len(out.Blocks))
	default:
		a.say("returned %d block(s) empty for %s", len(out.Blocks), out.Grace)
	}
	return nil
}
