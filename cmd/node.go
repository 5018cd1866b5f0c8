package cmd

import (
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

func newNodeCmd(a *app) *cobra.Command {
	c := &cobra.Command{Use: "node", Short: "Register and list nodes"}
	c.AddCommand(newNodeRegisterCmd(a), withKubeImport(a, newNodeImportCmd(a)), newNodeListCmd(a))
	return c
}

type nodeRegisterOptions struct {
	node   topo.Node
	labels []string
}

func newNodeRegisterCmd(a *app) *cobra.Command {
	var o nodeRegisterOptions
	c := &cobra.Command{
		Use:     "register --id ID --tor TOR [--name NAME] [--label k=v]...",
		Short:   "Register a node behind a TOR (or update it)",
		Example: "  netipam node register --id node-01 --tor tor-1 --name k8s-node-01 --label rack=R01",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			n := o.node
			n.Labels = map[string]string{}
			for _, l := range o.labels {
				k, v, ok := strings.Cut(l, "=")
				if !ok || k == "" {
					return usagef("--label %s: use key=value", topo.Quote(l))
				}
				n.Labels[k] = v
			}
			v := n
			if v.TOR == "" {
				v.TOR = store.VirtualTOR(n.ID)
			}
			if err := topo.ValidateNode(v); err != nil {
				return usagef("node register: %w", err)
			}
			if n.TOR != "" {
				st, err := a.openCreate(c.Context())
				if err != nil {
					return err
				}
				if ok, err := st.TORExists(c.Context(), n.TOR); err != nil {
					return err
				} else if !ok {
					return topoNotFound("--tor %s: unknown TOR: import it with `netipam topo import` or list TORs with `netipam topo show`", topo.Quote(n.TOR))
				}
			}
			return registerNodes(c, a, []topo.Node{n})
		},
	}
	f := c.Flags()
	f.StringVar(&o.node.ID, "id", "", "node ID (required)")
	f.StringVar(&o.node.TOR, "tor", "", "TOR the node sits behind (without it: a virtual TOR of its own)")
	f.StringVar(&o.node.Name, "name", "", "host name")
	f.StringArrayVar(&o.labels, "label", nil, "label key=value (repeat)")
	c.MarkFlagRequired("id")
	return c
}

func newNodeImportCmd(a *app) *cobra.Command {
	var maxSize fileSize
	c := &cobra.Command{
		Use:   "import FILE",
		Short: "Register the nodes of a file (node: or nodes: format), atomically",
		Long: `Register (or update) every node of the file in one atomic batch. Every problem
is reported with file, line and field; an unknown tor_id is "not found" (exit
3), as with node register --tor. A node holding addresses cannot move to
another TOR. Files over 64MiB are refused (--max-file-size raises the limit).`,
		Example: "  netipam node import testdata/nodes.yaml",
		Args:    cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			data, err := readInput(args[0], "nodes", maxSize)
			if err != nil {
				return err
			}
			st, err := a.open(c.Context())
			if err != nil {
				return err
			}
			tors, err := st.TORIDs(c.Context())
			if err != nil {
				return err
			}
			known := func(tor string) (bool, error) { return tors[tor], nil }
			nodes, err := interruptible(c.Context(), func() ([]topo.Node, error) { return topo.ParseNodesOn(displayPath(args[0]), data, known) })
			if err != nil {
				return err
			}
			return registerNodes(c, a, nodes)
		},
	}
	addMaxFileSize(c.Flags(), &maxSize)
	return c
}

// registerNodes registers nodes whose TORs are known, in one batch.
func registerNodes(c *cobra.Command, a *app, nodes []topo.Node) error {
	st, err := a.openCreate(c.Context())
	if err != nil {
		return err
	}
	if err := st.UpsertNodes(c.Context(), nodes); err != nil {
		return err
	}
	for _, n := range nodes {
		tor := n.TOR
		if tor == "" {
			tor = store.VirtualTOR(n.ID) + " (virtual)"
		}
		a.say("registered %s on %s", n.ID, tor)
	}
	if a.json() {
		return a.printJSON(map[string]int{"registered": len(nodes)})
	}
	return nil
}

type nodeJSON struct {
	ID        string            `json:"id"`
	Name      string            `json:"name,omitempty"`
	TOR       string            `json:"tor"`
	Pod       string            `json:"pod,omitempty"`
	Zone      string            `json:"zone,omitempty"`
	Labels    map[string]string `json:"labels"`
	Allocated int64             `json:"allocated"`
}

func newNodeListCmd(a *app) *cobra.Command {
	var tor string
	c := &cobra.Command{
		Use:   "list",
		Short: "List registered nodes",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			st, err := a.openRead(c.Context())
			if err != nil {
				return err
			}
			var f store.NodeFilter
			if tor != "" {
				f.TOR = &tor
			}
			rows, err := st.Nodes(c.Context(), f)
			if err != nil {
				return err
			}
			js := make([]nodeJSON, len(rows))
			table := make([][]string, len(rows))
			for i, r := range rows {
				js[i] = nodeJSON{ID: r.ID, Name: r.Name, TOR: r.TOR, Pod: r.Pod, Zone: r.Zone,
					Labels: orEmptyLabels(r.Labels), Allocated: r.Allocated}
				table[i] = []string{r.ID, r.Name, r.TOR, r.Pod, r.Zone, formatLabels(r.Labels), fmt.Sprint(r.Allocated)}
			}
			if a.json() {
				return a.printJSON(js)
			}
			return a.printTable([]string{"ID", "NAME", "TOR", "POD", "ZONE", "LABELS", "ALLOCATED"}, table)
		},
	}
	c.Flags().StringVar(&tor, "tor", "", "only nodes behind this TOR")
	return c
}

func orEmptyLabels(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func formatLabels(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		keys[i] = k + "=" + m[k]
	}
	return strings.Join(keys, ",")
}
