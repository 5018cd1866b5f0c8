package cmd

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

type sqlOptions struct {
	timeout topo.Duration
	limit   int
	schema  bool
}

func newSQLCmd(a *app) *cobra.Command {
	o := &sqlOptions{}
	c := &cobra.Command{
		Use:   "sql QUERY | sql --schema",
		Short: "Run one read-only SQL query on the store (writes are refused)",
		Long: `Run one read-only SQL statement against netipam's tables and print the rows
as a table, CSV (-o csv) or JSON (-o json), as they come.

Read-only by construction: on SQLite the query runs on a connection of its
own that the engine opens read-only at the file level, that may attach no
database, and whose authorizer compiles nothing but reads (SELECT, WITH,
functions, PRAGMAs that only describe); on rqlite it goes to the read-only
query endpoint. No input changes the store or creates any file. One
statement per call.

A query stops after --timeout, and prints at most --limit rows: when rows
are left, stderr says so and JSON output has "truncated": true.

Tables: zones, zone_cidrs, pods, pod_cidrs, tors, subnets, reservations,
nodes, allocations, subnet_counts, events (the append-only ledger), settings,
strategies, gc_candidates, gc_runs, event_archives, schema_migrations.
--schema prints every table with a line on each column.`,
		Example: `  netipam sql "SELECT tor_id, COUNT(*) FROM allocations GROUP BY tor_id"
  netipam sql "SELECT at, kind, node_id, container FROM events WHERE address = '10.244.0.7' ORDER BY id"
  netipam sql --limit 0 --timeout 5m -o csv "SELECT * FROM events" > events.csv
  netipam sql --schema`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if o.schema {
				if len(args) > 0 {
					return usagef("sql --schema takes no QUERY")
				}
				return printSchema(c.Context(), a)
			}
			if len(args) != 1 {
				return usagef("sql: give one QUERY, or --schema (see `netipam sql --help`)")
			}
			if o.timeout <= 0 {
				return usagef("--timeout %s: give a duration above zero, e.g. 30s", o.timeout)
			}
			if o.limit < 0 {
				return usagef("--limit %d: give a number of rows, or 0 for no limit", o.limit)
			}
			return runSQL(c.Context(), a, o, args[0])
		},
	}
	o.timeout = topo.Duration(30 * time.Second)
	c.Flags().Var(&o.timeout, "timeout", "stop the query after this long")
	c.Flags().IntVar(&o.limit, "limit", 10000, "print at most this many rows (0: no limit)")
	c.Flags().BoolVar(&o.schema, "schema", false, "print every table with a line on each column, instead of running a query")
	return c
}

// runSQL runs the query in a goroutine and returns as soon as the context
// ends (timeout, SIGINT, SIGTERM), even while SQLite is between two rows:
// the connection is read-only, so abandoning it leaves nothing half done,
// and the process exits.
func runSQL(parent context.Context, a *app, o *sqlOptions, query string) error {
	st, err := a.openRead(parent)
	if err != nil && parent.Err() != nil {
		return fmt.Errorf("query interrupted: %w", parent.Err())
	}
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(parent, o.timeout.D())
	defer cancel()
	w := newSQLWriter(a)
	type outcome struct {
		truncated bool
		err       error
	}
	done := make(chan outcome, 1)
	go func() {
		t, err := st.ReadOnlyQuery(ctx, query, o.limit, w)
		done <- outcome{t, err}
	}()
	var r outcome
	select {
	case r = <-done:
	case <-ctx.Done():
		w.stop()
		r.err = ctx.Err()
	}
	switch {
	case errors.Is(parent.Err(), context.Canceled):
		return fmt.Errorf("query interrupted: %w", parent.Err())
	case errors.Is(ctx.Err(), context.DeadlineExceeded) && r.err != nil:
		return usagef("query stopped after --timeout %s: narrow it (WHERE, LIMIT) or raise --timeout", o.timeout)
	case errors.Is(r.err, store.ErrReadOnly):
		return usagef("netipam sql runs one read-only query; use the other commands to change data: %w", r.err)
	case r.err != nil && isStoreFault(r.err):
		return r.err
	case r.err != nil:
		return usagef("%w", r.err)
	}
	if err := w.finish(r.truncated); err != nil {
		return err
	}
	if r.truncated {
		fmt.Fprintf(a.io.Err, "netipam: output cut at %d rows (--limit): narrow the query or raise --limit (0: no limit)\n", o.limit)
	}
	return nil
}

// isStoreFault: the store, not the query, failed.
func isStoreFault(err error) bool {
	return errors.Is(err, store.ErrUnavailable) || errors.Is(err, store.ErrCorrupt) ||
		errors.Is(err, store.ErrNoSpace) || errors.Is(err, store.ErrNoStore)
}
