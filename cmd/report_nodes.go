package cmd

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newReportNodesCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "nodes",
		Short: "Allocations per node, purpose and family",
		Long: `Count every node's allocations per purpose and family, and how many of them
the node holds itself (no container); a node holding nothing is listed with
zero.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			r, err := a.reporter(c.Context())
			if err != nil {
				return err
			}
			counts, err := r.NodeCounts(c.Context())
			if err != nil {
				return err
			}
			if a.json() {
				return a.printJSON(counts)
			}
			rows := make([][]string, len(counts))
			for i, n := range counts {
				fam := ""
				if n.Family != 0 {
					fam = fmt.Sprintf("IPv%d", n.Family)
				}
				rows[i] = []string{n.Node, n.TOR, n.Purpose, fam, fmt.Sprint(n.Allocations), fmt.Sprint(n.NodeHeld)}
			}
			return a.printTable([]string{"NODE", "TOR", "PURPOSE", "FAMILY", "ALLOCATIONS", "NODE-HELD"}, rows)
		},
	}
}
