package cmd

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/netipam/netipam/ipam/local"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

type subnetExpandOptions struct {
	tor, purpose, family string
	dryRun               bool
}

func newSubnetExpandCmd(a *app) *cobra.Command {
	var o subnetExpandOptions
	c := &cobra.Command{
		Use:   "expand --tor TOR --purpose P [--family 4|6] [--dry-run]",
		Short: "Grow a TOR's subnets of a purpose by one block of its pod, now",
		Long: `Claim one more block of the TOR's pod for a purpose (and family), as netipam
does by itself when the TOR's use reaches the expansion threshold, and show
the plan and why: the use, the threshold, the block and the rule that chose
it (buddy: with a block of the TOR it forms one shorter prefix; adjacent:
it touches one; any: the pod's lowest free block). The block is as large as
expansion.prefix_length, else the TOR's block, grown when the recent
allocation rate would fill it within expansion.horizon. The claim is one
atomic conditional insert and a ledger event (reason manual). Exits 5 when
the pod has no room.`,
		Example: `  netipam subnet expand --tor tor-1 --purpose default --dry-run
  netipam subnet expand --tor tor-1 --purpose storage --family 4 -o json`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error { return runSubnetExpand(c, a, o) },
	}
	f := c.Flags()
	f.StringVar(&o.tor, "tor", "", "TOR ID (required)")
	f.StringVar(&o.purpose, "purpose", topo.PurposeDefault, "purpose of the subnets to grow")
	f.StringVar(&o.family, "family", "all", "address family: 4, 6 or all (every family the TOR has subnets of for the purpose)")
	f.BoolVar(&o.dryRun, "dry-run", false, "show the plan, claim nothing")
	c.MarkFlagRequired("tor")
	return c
}

func runSubnetExpand(c *cobra.Command, a *app, o subnetExpandOptions) error {
	if err := topo.CheckID("--tor", o.tor); err != nil {
		return usagef("%w", err)
	}
	req := local.ExpandTORRequest{TOR: o.tor, Purpose: o.purpose, DryRun: o.dryRun}
	switch o.family {
	case "4":
		req.Family = topo.IPv4
	case "6":
		req.Family = topo.IPv6
	case "all", "":
	default:
		return usagef("--family %q: use 4, 6 or all", o.family)
	}
	mode := store.ModeExisting
	if o.dryRun {
		mode = store.ModeReadOnly
	}
	op, err := a.operator(c.Context(), mode)
	if err != nil {
		return err
	}
	results, err := op.ExpandTOR(c.Context(), req)
	if len(results) == 0 && err != nil {
		return err
	}
	if a.json() {
		if err := a.printJSON(results); err != nil {
			return err
		}
	} else {
		for _, r := range results {
			a.sayPlan(r, o.dryRun)
		}
	}
	return err
}

// sayPlan prints an expansion plan for people.
func (a *app) sayPlan(r local.ExpandResult, dryRun bool) {
	var b strings.Builder
	fmt.Fprintf(&b, "TOR %s (pod %s), %s IPv%d: %s of %s used (%.0f%%), threshold %.0f%%",
		r.TOR, r.Pod, r.Purpose, r.Family, a.count(r.Used), a.count(r.Capacity), 100*r.Ratio, 100*r.Threshold)
	if r.MinAvailable > 0 {
		fmt.Fprintf(&b, ", min_available %d", r.MinAvailable)
	}
	a.say("%s", b.String())
	switch {
	case r.Blocked != "":
		a.say("  reason %s: no block: %s", r.Reason, r.Blocked)
	case r.Block.IsValid():
		state := "claimed"
		if dryRun {
			state = "dry run: not claimed"
		} else if !r.Claimed {
			state = "not claimed"
		}
		a.say("  reason %s: block %s, chosen as %s; the TOR's blocks aggregate to %d prefix(es); %s",
			r.Reason, r.Block, r.Choice, r.Aggregates, state)
	}
}
