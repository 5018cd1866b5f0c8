package cmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/netipam/netipam/cmd/server"
	"github.com/netipam/netipam/store"
)

func newReportNodesCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "nodes",
		Short: "Allocations per node, purpose and family",
		Long: `Count every node's allocations per purpose and family, and how many of them
the node holds itself (no container); a node holding nothing is listed with
zero. Through --server too.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			svc, err := a.service(c.Context(), store.ModeReadOnly)
			if err != nil {
				return err
			}
			r, ok := svc.(server.NodeReporter)
			if !ok {
				return usagef("report nodes: this service does not count allocations per node")
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
