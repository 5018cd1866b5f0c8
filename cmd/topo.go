package cmd

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/netipam/netipam/topo"
)

func newTopoCmd(a *app) *cobra.Command {
	c := &cobra.Command{
		Use:   "topo",
		Short: "Import, show and export the topology: zones, pods, TORs and their subnets",
	}
	c.AddCommand(newTopoImportCmd(a), newTopoShowCmd(a), newTopoExportCmd(a))
	return c
}

type topoImportOptions struct {
	file    string
	dryRun  bool
	prune   bool
	maxSize fileSize
}

func newTopoImportCmd(a *app) *cobra.Command {
	var o topoImportOptions
	c := &cobra.Command{
		Use:   "import FILE",
		Short: "Validate a topology file and apply it as a diff, atomically",
		Long: `Validate the whole file (every error with file, line and field), then apply
what differs from the store in one atomic batch. Zones, pods, TORs and subnets
missing from the file are kept unless --prune is given; a subnet that holds
allocations, or a TOR with nodes, is never removed.

The whole topology the store would hold afterwards (the file, plus what the
store keeps without --prune) is validated as one file is, and checked
against the allocations and nodes the store holds; every offending object
is named. --dry-run makes every check and fails as the real run would.
Files over 64MiB are refused (--max-file-size raises the limit).`,
		Example: "  netipam topo import testdata/topology.yaml --dry-run",
		Args:    cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			o.file = args[0]
			return runTopoImport(c, a, o)
		},
	}
	c.Flags().BoolVar(&o.dryRun, "dry-run", false, "print what would change, change nothing")
	c.Flags().BoolVar(&o.prune, "prune", false, "also remove what the file does not declare")
	addMaxFileSize(c.Flags(), &o.maxSize)
	return c
}

type importJSON struct {
	Changes []string `json:"changes"`
	Kept    []string `json:"kept,omitempty"`
	Applied bool     `json:"applied"`
}

func runTopoImport(c *cobra.Command, a *app, o topoImportOptions) error {
	data, err := readInput(o.file, "topology", o.maxSize)
	if err != nil {
		return err
	}
	name := displayPath(o.file)
	file, err := interruptible(c.Context(), func() (*topo.File, error) { return topo.ParseTopologyFile(name, data) })
	if err != nil {
		return err
	}
	open := a.openCreate
	if o.dryRun {
		open = a.openRead // a dry run creates no store and writes nothing
	}
	st, err := open(c.Context())
	if err != nil {
		return err
	}
	plan, err := st.PlanTopology(c.Context(), file, o.prune)
	if err != nil {
		if c.Context().Err() != nil {
			return stopped(err)
		}
		return err
	}
	var out importJSON
	for _, ch := range plan.Changes {
		out.Changes = append(out.Changes, ch.String())
	}
	for _, ch := range plan.Kept {
		out.Kept = append(out.Kept, ch.String())
	}
	if len(out.Changes) > 0 && !o.dryRun {
		summary := fmt.Sprintf("%s: %d change(s)", name, len(out.Changes))
		if err := st.ApplyPlan(c.Context(), plan, summary); err != nil {
			if c.Context().Err() != nil {
				return stopped(err)
			}
			return err
		}
		out.Applied = true
	}
	if a.json() {
		return a.printJSON(out)
	}
	for _, ch := range out.Changes {
		a.say("%s", ch)
	}
	for _, ch := range out.Kept {
		a.say("  (kept, not in file; --prune removes it) %s", strings.TrimSpace(ch))
	}
	switch {
	case len(out.Changes) == 0:
		a.say("no changes: the store already matches %s", name)
	case o.dryRun:
		a.say("dry run: %d change(s) not applied", len(out.Changes))
	default:
		a.say("applied %d change(s) from %s", len(out.Changes), name)
	}
	return nil
}

func newTopoExportCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "export",
		Short: "Write the stored topology as YAML (round-trips with import)",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			st, err := a.openRead(c.Context())
			if err != nil {
				return err
			}
			t, err := st.LoadTopology(c.Context())
			if err != nil {
				return err
			}
			b, err := topo.MarshalTopology(t)
			if err != nil {
				return err
			}
			_, err = a.io.Out.Write(b)
			return err
		},
	}
}
