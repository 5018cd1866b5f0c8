package cmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/netipam/netipam/ipam/local"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

type kubeImportOptions struct {
	file     string
	torLabel string
	prune    bool
	dryRun   bool
	maxSize  fileSize
}

// withKubeImport gives node import its --from-kubernetes form: the nodes
// of `kubectl get nodes -o json`, each on the TOR its label names.
func withKubeImport(a *app, c *cobra.Command) *cobra.Command {
	o := &kubeImportOptions{}
	plain, plainArgs := c.RunE, c.Args
	c.Use = "import FILE | --from-kubernetes NODES.json --tor-label LABEL [--prune] [--dry-run]"
	c.Long += `

With --from-kubernetes, the file is the output of ` + "`kubectl get nodes -o json`" + `:
every node carrying the --tor-label label is registered (or updated) on the
TOR the label's value names, with its other labels as its labels, in one
atomic batch; a node already registered keeps its subnet preferences. Nodes
without the label are listed on stderr and not registered (the others are,
exit 0); if no node has it the label is wrong (exit 2). A label naming an
unknown TOR fails the whole import (exit 3), naming the node and the TOR.
--prune also removes the registered nodes that are not in the list and hold
no address; the ones holding addresses are listed and kept. Importing the
same list again changes nothing.`
	c.Example += `
  kubectl get nodes -o json > nodes.json
  netipam node import --from-kubernetes nodes.json --tor-label topology.example.com/tor --prune --dry-run`
	c.Args = func(c *cobra.Command, args []string) error {
		if o.file != "" && len(args) > 0 {
			return usagef("node import: give either FILE (a nodes file) or --from-kubernetes NODES.json, not both (got %s)", topo.Quote(args[0]))
		}
		if o.file != "" {
			return nil
		}
		return plainArgs(c, args)
	}
	c.RunE = func(c *cobra.Command, args []string) error {
		if o.file == "" {
			for _, f := range []string{"tor-label", "prune", "dry-run"} {
				if c.Flags().Changed(f) {
					return usagef("--%s goes with --from-kubernetes", f)
				}
			}
			return plain(c, args)
		}
		o.maxSize = *maxFileSizeOf(c)
		return runKubeImport(c, a, o)
	}
	f := c.Flags()
	f.StringVar(&o.file, "from-kubernetes", "", "`NODES.json`: what kubectl get nodes -o json prints (- for stdin)")
	f.StringVar(&o.torLabel, "tor-label", "", "the node label whose value is the node's TOR id (with --from-kubernetes)")
	f.BoolVar(&o.prune, "prune", false, "remove registered nodes missing from the list that hold no address")
	f.BoolVar(&o.dryRun, "dry-run", false, "print what would change, change nothing")
	return c
}

// maxFileSizeOf gives the --max-file-size value of a command that has it.
func maxFileSizeOf(c *cobra.Command) *fileSize {
	if fl := c.Flags().Lookup("max-file-size"); fl != nil {
		if s, ok := fl.Value.(*fileSize); ok {
			return s
		}
	}
	s := fileSize(DefaultMaxFileSize)
	return &s
}

func runKubeImport(c *cobra.Command, a *app, o *kubeImportOptions) error {
	ctx := c.Context()
	if o.torLabel == "" {
		return usagef("--tor-label: give the node label that names each node's TOR, such as topology.example.com/tor")
	}
	path := o.file
	if path == "-" {
		path = "/dev/stdin"
	}
	data, err := readInput(path, "kubernetes nodes", o.maxSize)
	if err != nil {
		return err
	}
	name := displayPath(o.file)
	items, err := interruptible(ctx, func() ([]topo.KubeNode, error) { return topo.ParseKubeNodes(name, data) })
	if err != nil {
		return err
	}
	op, err := a.operator(ctx, store.ModeExisting)
	if err != nil {
		return err
	}
	rep, err := op.KubeImport(ctx, local.KubeImportRequest{Source: name, Items: items, TORLabel: o.torLabel,
		Prune: o.prune, DryRun: o.dryRun})
	for _, n := range rep.Unlabelled {
		fmt.Fprintf(a.io.Err, "netipam: node %s has no label %s: not registered\n", n, safe(topo.Quote(o.torLabel)))
	}
	for _, k := range rep.Holding {
		fmt.Fprintf(a.io.Err, "netipam: node %s is not in %s but holds %s: kept; release its addresses, then prune again\n",
			k.ID, safe(name), plural(k.Allocated, "address", "addresses"))
	}
	if err != nil {
		return err
	}
	if a.json() {
		return a.printJSON(rep.KubeImportCounts)
	}
	verb := func(done, would string) string {
		if o.dryRun {
			return would
		}
		return done
	}
	for _, n := range rep.Changes {
		if n.New {
			a.say("%s %s on %s", verb("registered", "would register"), n.ID, n.TOR)
		} else {
			a.say("%s %s on %s", verb("updated", "would update"), n.ID, n.TOR)
		}
	}
	for _, id := range rep.Removed {
		a.say("%s %s", verb("removed", "would remove"), id)
	}
	a.say("%d registered, %d updated, %d unchanged, %d without label %s, %d removed, %d kept",
		len(rep.Registered), len(rep.Updated), len(rep.Unchanged), len(rep.Unlabelled),
		o.torLabel, len(rep.Removed), len(rep.Kept))
	return nil
}

// plural writes a count with its noun.
func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
