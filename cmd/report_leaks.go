package cmd

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/netipam/netipam/store"
)

// leakJSON is one candidate of `report leaks -o json`.
type leakJSON struct {
	store.GCCandidate
	MissingFor int64 `json:"missing_for_seconds"`
	Age        int64 `json:"age_seconds"`
}

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
			st, err := a.openRead(c.Context())
			if err != nil {
				return err
			}
			cands, err := st.GCCandidates(c.Context(), node)
			if err != nil {
				return err
			}
			now := st.Now()
			out := make([]leakJSON, len(cands))
			rows := make([][]string, len(cands))
			for i, l := range cands {
				out[i] = leakJSON{GCCandidate: l, MissingFor: int64(now.Sub(l.MissingSince) / time.Second),
					Age: int64(now.Sub(l.AllocatedAt) / time.Second)}
				rows[i] = []string{l.Node, l.Address.String(), l.Network, l.Container, l.IfName,
					l.MissingSince.UTC().Format(time.RFC3339), age(out[i].MissingFor),
					l.AllocatedAt.UTC().Format(time.RFC3339), l.LastRun}
			}
			if a.json() {
				return a.printJSON(out)
			}
			return a.printTable([]string{"NODE", "ADDRESS", "NETWORK", "CONTAINER", "IFNAME", "MISSING SINCE", "MISSING FOR",
				"ALLOCATED AT", "LAST RUN"}, rows)
		},
	}
	c.Flags().StringVar(&node, "node", "", "only this node's candidates")
	return c
}
