package cmd

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/netipam/netipam/store"
)

func newSQLCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "sql QUERY",
		Short: "Run a read-only SQL query on the store (writes are refused)",
		Long: `Run one read-only SQL query against netipam's tables and print the rows as a
table, CSV (-o csv) or JSON (-o json). The store refuses any write.

Tables: zones, zone_cidrs, pods, pod_cidrs, tors, subnets, reservations,
nodes, allocations, events (the append-only ledger), schema_migrations.`,
		Example: `  netipam sql "SELECT tor_id, COUNT(*) FROM allocations GROUP BY tor_id"
  netipam sql "SELECT at, kind, node_id, container FROM events WHERE address = '10.244.0.7' ORDER BY id"`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			st, err := a.openRead(c.Context())
			if err != nil {
				return err
			}
			t, err := st.ReadOnly(c.Context(), args[0])
			if errors.Is(err, store.ErrReadOnly) {
				return usagef("netipam sql runs read-only queries; use the other commands to change data: %w", err)
			}
			if err != nil {
				return usagef("%w", err)
			}
			if a.json() {
				objs := make([]map[string]any, len(t.Rows))
				for i, r := range t.Rows {
					objs[i] = map[string]any{}
					for j, c := range t.Columns {
						objs[i][c] = r[j]
					}
				}
				return a.printJSON(objs)
			}
			rows := make([][]string, len(t.Rows))
			for i, r := range t.Rows {
				rows[i] = make([]string, len(r))
				for j, v := range r {
					if v != nil {
						rows[i][j] = fmt.Sprint(v)
					}
				}
			}
			return a.printTable(t.Columns, rows)
		},
	}
}
