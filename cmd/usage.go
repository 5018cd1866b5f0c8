package cmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/ipam"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

func newUsageCmd(a *app) *cobra.Command {
	var level string
	c := &cobra.Command{
		Use:   "usage",
		Short: "Used / capacity per zone, pod, TOR, purpose and family",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			switch level {
			case "", "zone", "pod", "tor":
			default:
				return usagef("--level %q: use zone, pod or tor", level)
			}
			svc, err := a.service(c.Context(), store.ModeReadOnly)
			if err != nil {
				return err
			}
			rows, err := svc.Subnets(c.Context(), topo.SubnetFilter{})
			if err != nil {
				return err
			}
			us, err := alloc.Usage(ipam.SubnetUses(rows))
			if err != nil {
				return err
			}
			kept := us[:0]
			for _, u := range us {
				if level == "" || u.Level == level {
					kept = append(kept, u)
				}
			}
			if a.json() {
				return a.printJSON(kept)
			}
			table := make([][]string, len(kept))
			uses := make([]useCell, len(kept))
			for i, u := range kept {
				uses[i] = useCell{used: u.Used, capacity: u.Capacity}
				table[i] = []string{u.Level, u.ID, u.Purpose, fmt.Sprintf("IPv%d", u.Family),
					fmt.Sprint(u.Subnets), a.count(u.Used), a.total(u.Capacity), ""}
			}
			return a.printUseTable([]string{"LEVEL", "ID", "PURPOSE", "FAMILY", "SUBNETS", "USED", "CAPACITY", "USE"},
				table, 7, uses, DefaultThreshold)
		},
	}
	c.Flags().StringVar(&level, "level", "", "only this level: zone, pod or tor")
	return c
}
