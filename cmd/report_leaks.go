package cmd

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/netipam/netipam/store"
)

func newReportLeaksCmd(a *app) *cobra.Command {
	var node string
	c := &cobra.Command{
		Use:   "leaks [--node NODE]",
		Short: "Allocations the last gc runs found missing, not yet released",
		Long: `List gc's candidates: allocations that the last ` + "`netipam gc`" + ` run on
their node found missing from the node's live attachments, and that a later
run will release once they have been missing for the grace period.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			r, err := a.reporter(c.Context())
			if err != nil {
				return err
			}
			cands, err := r.GCCandidates(c.Context(), node)
			if err != nil {
				return err
			}
			if a.json() {
				if cands == nil {
					cands = []store.GCCandidate{}
				}
				return a.printJSON(cands)
			}
			rows := make([][]string, len(cands))
			for i, l := range cands {
				rows[i] = []string{l.Node, l.Address.String(), l.Network, l.Container, l.IfName,
					l.MissingSince.UTC().Format(time.RFC3339), l.AllocatedAt.UTC().Format(time.RFC3339), l.LastRun}
			}
			return a.printTable([]string{"NODE", "ADDRESS", "NETWORK", "CONTAINER", "IFNAME", "MISSING SINCE",
				"ALLOCATED AT", "LAST RUN"}, rows)
		},
	}
	c.Flags().StringVar(&node, "node", "", "only this node's candidates")
	return c
}
