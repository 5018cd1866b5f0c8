package cmd

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/netipam/netipam/store"
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
	file   string
	dryRun bool
	prune  bool
}

func newTopoImportCmd(a *app) *cobra.Command {
	var o topoImportOptions
	c := &cobra.Command{
		Use:   "import FILE",
		Short: "Validate a topology file and apply it as a diff, atomically",
		Long: `Validate the whole file (every error with file, line and field), then apply
what differs from the store in one atomic batch. Zones, pods, TORs and subnets
missing from the file are kept unless --prune is given; a subnet that holds
allocations, or a TOR with nodes, is never removed.`,
		Example: "  netipam topo import testdata/topology.yaml --dry-run",
		Args:    cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			o.file = args[0]
			return runTopoImport(c, a, o)
		},
	}
	c.Flags().BoolVar(&o.dryRun, "dry-run", false, "print what would change, change nothing")
	c.Flags().BoolVar(&o.prune, "prune", false, "also remove what the file does not declare")
	return c
}

type importJSON struct {
	Changes []string `json:"changes"`
	Kept    []string `json:"kept,omitempty"`
	Applied bool     `json:"applied"`
}

func runTopoImport(c *cobra.Command, a *app, o topoImportOptions) error {
	data, err := os.ReadFile(o.file)
	if err != nil {
		return usagef("read topology file: %w", err)
	}
	desired, err := topo.ParseTopology(o.file, data)
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
	current, err := st.LoadTopology(c.Context())
	if err != nil {
		return err
	}
	var out importJSON
	for _, ch := range topo.Diff(current, desired) {
		if ch.Op == "remove" && !o.prune {
			out.Kept = append(out.Kept, ch.String())
			continue
		}
		out.Changes = append(out.Changes, ch.String())
	}
	if err := checkAgainstStored(c, a, desired, o.prune); err != nil {
		return err
	}
	if len(out.Changes) > 0 && !o.dryRun {
		summary := fmt.Sprintf("%s: %d change(s)", o.file, len(out.Changes))
		if err := st.ApplyTopology(c.Context(), desired, o.prune, summary); err != nil {
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
		a.say("no changes: the store already matches %s", o.file)
	case o.dryRun:
		a.say("dry run: %d change(s) not applied", len(out.Changes))
	default:
		a.say("applied %d change(s) from %s", len(out.Changes), o.file)
	}
	return nil
}

// checkAgainstStored finds the file's subnets that overlap stored subnets
// the file does not declare (added with `subnet add` or by expansion), to
// name them; the schema refuses them anyway.
func checkAgainstStored(c *cobra.Command, a *app, desired *topo.Topology, prune bool) error {
	rows, err := a.st.Subnets(c.Context(), store.SubnetFilter{})
	if err != nil {
		return err
	}
	var errs topo.Errors
	for _, ref := range desired.Subnets() {
		for _, r := range rows {
			if _, declared := desired.FindSubnet(r.CIDR); declared && (prune || r.CIDR == ref.Subnet.CIDR) {
				continue
			}
			if r.CIDR != ref.Subnet.CIDR && r.CIDR.Overlaps(ref.Subnet.CIDR) {
				errs = append(errs, &topo.Error{Field: "subnet " + ref.Subnet.CIDR.String(),
					Msg: fmt.Sprintf("overlaps stored subnet %s of TOR %s: pick a free range or remove that subnet", r.CIDR, r.TOR)})
			}
		}
	}
	if len(errs) > 0 {
		return errs
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
