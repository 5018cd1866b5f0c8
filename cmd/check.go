package cmd

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/netipam/netipam/ipam/local"
	"github.com/netipam/netipam/store"
)

// errCheckFailed: `netipam check` found problems (exit ExitCheck).
var errCheckFailed = errors.New("check found problems")

func newCheckCmd(a *app) *cobra.Command {
	c := &cobra.Command{
		Use:   "check",
		Short: "Verify every invariant of the stored data; exit 8 listing each problem",
		Long: `Verify the invariants of the stored data, read-only: every allocation inside
its subnet and not on its network, broadcast, gateway or an excluded address;
agreeing with its subnet (TOR, purpose, family) and with its node's TOR; no
address held twice; no subnets overlapping or outside their pod, nor of a length no subnet may
have (subnet-unusable: never allocated from); no node on
an unknown TOR; no row naming a missing parent; every allocation with its
allocate event in the ledger, and no latest allocate event without its
allocation; no TOR that needs a block (past its expansion threshold, or
below a node's min_available) and cannot grow: no room left in its pod, or
max_subnets_per_tor reached (the topology's expansion settings); no stored
setting out of bounds or unreadable (bad-setting: netipam ignores it and
uses its default until topo import rewrites it).

On a sound store it prints one summary line and exits 0. Otherwise it lists
each problem with the objects involved (-o json: {"counts", "problems"}) and
exits 8. Works on a read-only store, on rqlite and through --server.`,
		Example: `  netipam check
  netipam check -o json | jq '.problems[] | select(.kind == "duplicate-address")'`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			svc, err := a.service(c.Context(), store.ModeReadOnly)
			if err != nil {
				return err
			}
			chk, ok := svc.(local.Checker)
			if !ok {
				return fmt.Errorf("check: %T cannot check a store", svc)
			}
			rep, err := chk.Check(c.Context())
			if err != nil {
				return err
			}
			return printCheck(a, rep)
		},
	}
	return c
}

func printCheck(a *app, rep store.CheckReport) error {
	if a.json() {
		if rep.Problems == nil {
			rep.Problems = []store.Problem{}
		}
		if err := a.printJSON(rep); err != nil {
			return err
		}
	} else if len(rep.Problems) == 0 {
		n := rep.Counts
		fmt.Fprintf(a.io.Out, "ok: %d zones, %d pods, %d TORs, %d subnets, %d nodes, %d allocations, %d events checked\n",
			n.Zones, n.Pods, n.TORs, n.Subnets, n.Nodes, n.Allocations, n.Events)
	} else {
		rows := make([][]string, len(rep.Problems))
		for i, p := range rep.Problems {
			objs := make([]string, len(p.Objects))
			for j, o := range p.Objects {
				objs[j] = o.Type + "=" + o.ID
			}
			rows[i] = []string{p.Kind, strings.Join(objs, " "), p.Message}
		}
		if err := a.printTable([]string{"PROBLEM", "OBJECTS", "DETAIL"}, rows); err != nil {
			return err
		}
	}
	if len(rep.Problems) > 0 {
		return fmt.Errorf("%w: %d problem(s): see the list above; repair the rows it names (netipam release, topo import, or SQL on a copy)",
			errCheckFailed, len(rep.Problems))
	}
	return nil
}
