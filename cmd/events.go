package cmd

import (
	"time"

	"github.com/spf13/cobra"
)

func newEventsCmd(a *app) *cobra.Command {
	c := &cobra.Command{
		Use:   "events",
		Short: "The ledger: archive old events",
		Args:  cobra.NoArgs,
	}
	c.AddCommand(newEventsArchiveCmd(a))
	return c
}

func newEventsArchiveCmd(a *app) *cobra.Command {
	var before, to string
	c := &cobra.Command{
		Use:   "archive --before DATE --to FILE.jsonl",
		Short: "Move events older than DATE to a JSON-lines file, then delete them",
		Long: `Write the ledger's events older than DATE to FILE, one JSON object per line
with every column of the events table, sync the file, then delete exactly
those events in one atomic batch (recorded in the table event_archives).
This is the only way events are ever deleted: DATE must be at least 30 days
before the ledger's latest event (and before now), and the schema itself
refuses to delete any other event. The newest event is always kept, so
that event ids never start again. FILE must not exist, nor be a symbolic
link or one of the store's own files (exit 2).`,
		Example: `  netipam events archive --before 2026-01-01 --to /var/backups/netipam-events-2025.jsonl`,
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if before == "" || to == "" {
				return usagef("events archive: give --before DATE and --to FILE.jsonl")
			}
			t, err := parseDate(before)
			if err != nil {
				return usagef("--before %q: give a date (2026-01-02) or an RFC 3339 time (2026-01-02T15:04:05Z)", before)
			}
			st, err := a.open(c.Context())
			if err != nil {
				return err
			}
			res, err := st.ArchiveEvents(c.Context(), t, to)
			if err != nil {
				return err
			}
			if res.Events == 0 {
				a.say("no events before %s (the newest event is always kept): nothing archived, %s not written",
					t.Format(time.RFC3339), to)
				return nil
			}
			a.say("archived %d events (ids up to %d, before %s) to %s and deleted them from the ledger",
				res.Events, res.ThroughID, t.Format(time.RFC3339), to)
			return nil
		},
	}
	c.Flags().StringVar(&before, "before", "", "archive events older than this date (at least 30 days ago)")
	c.Flags().StringVar(&to, "to", "", "JSON-lines file to write (must not exist)")
	return c
}

// parseDate reads a date (UTC midnight) or an RFC 3339 time.
func parseDate(v string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339Nano, v)
}
