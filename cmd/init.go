package cmd

import (
	"github.com/spf13/cobra"

	"github.com/netipam/netipam/store"
)

// newInitCmd creates the store explicitly. Besides it, only the commands
// that create topology (topo import, node register/import, subnet add)
// create a store; every other command fails on a missing one.
func newInitCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "init",
		Short: "Create the store (file and schema), or bring an existing store's schema up to date",
		Long: `Create the store --store names: for SQLite the file, its directory and the
schema; for rqlite the schema in the cluster. On an existing store, apply the
migrations it lacks and change nothing else. Running it twice is harmless.

No other command creates a store, except those that create topology (topo
import, node register, node import, subnet add): a mistyped --store or a
deleted directory fails with the path instead of starting an empty store.`,
		Example: `  netipam init --store sqlite:///var/lib/netipam/netipam.db
  netipam init --store rqlite://10.0.0.1:4001,10.0.0.2:4001,10.0.0.3:4001`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			st, err := a.openCreate(c.Context())
			if err != nil {
				return err
			}
			v, err := st.SchemaVersion(c.Context())
			if err != nil {
				return err
			}
			url := store.Redact(st.URL())
			if a.json() {
				return a.printJSON(map[string]any{"store": url, "created": st.Created(), "schema_version": v})
			}
			if st.Created() {
				a.say("created store %s (schema version %d)", url, v)
			} else {
				a.say("store %s exists (schema version %d): nothing to create", url, v)
			}
			return nil
		},
	}
}
