package cmd

import (
	"github.com/spf13/cobra"

	"github.com/netipam/netipam/store"
)

func newBackupCmd(a *app) *cobra.Command {
	var force bool
	c := &cobra.Command{
		Use:   "backup FILE",
		Short: "Write a consistent copy of the store to FILE while allocations go on",
		Long: `Write a consistent copy of the store, a SQLite database file, to FILE while
other processes go on allocating: SQLite's VACUUM INTO on a read-only
connection (the database as of one commit), or rqlite's backup endpoint
(GET /db/backup, made by the leader). The copy goes to a temporary file
beside FILE, is synced, and is renamed to FILE: FILE is never a partial
copy. An existing FILE is refused unless --force; the store's own files
(the database, -wal, -shm, -journal, through any path), anything but a
regular file (a directory, /dev/null, a pipe) and a symbolic link are
refused even with --force (exit 2).

Restore: see docs/operations.md (SQLite: put the file in place while no netipam
runs; rqlite: load it into a cluster).`,
		Example: `  netipam backup /var/backups/netipam-$(date +%F).db
  netipam check --store sqlite:///var/backups/netipam-2026-11-22.db`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			st, err := a.openRead(c.Context())
			if err != nil {
				return err
			}
			if err := st.Backup(c.Context(), args[0], force); err != nil {
				return err
			}
			a.say("backed up %s to %s", store.Redact(st.URL()), args[0])
			return nil
		},
	}
	c.Flags().BoolVar(&force, "force", false, "replace FILE if it exists and is a regular file")
	return c
}
