package cmd

import (
	"fmt"
	"maps"
	"sort"

	"github.com/spf13/cobra"

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

// kubeImportJSON is the -o json report of an import.
type kubeImportJSON struct {
	Registered []string `json:"registered"`
	Updated    []string `json:"updated"`
	Unchanged  []string `json:"unchanged"`
	Unlabelled []string `json:"unlabelled"`
	Removed    []string `json:"removed"`
	Kept       []string `json:"kept"`
	DryRun     bool     `json:"dry_run"`
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
	st, err := a.open(ctx)
	if err != nil {
		return err
	}
	tors, err := st.TORIDs(ctx)
	if err != nil {
		return err
	}
	known := func(id string) (bool, error) { return tors[id], nil }
	imp, err := topo.KubeToNodes(name, items, o.torLabel, known)
	if err != nil {
		return err
	}
	if len(items) == 0 && o.prune {
		return usagef("%s lists no node: refusing to prune every registered node; check kubectl's context, or drop --prune", name)
	}
	if len(imp.Nodes) == 0 && len(items) > 0 {
		return usagef("--tor-label %s: none of the %d nodes of %s carries it: check the label with `kubectl get nodes --show-labels`",
			topo.Quote(o.torLabel), len(items), name)
	}
	stored, err := st.Nodes(ctx, store.NodeFilter{})
	if err != nil {
		return err
	}
	plan := planKubeImport(imp, stored, o.prune, len(items))
	plan.rep.DryRun = o.dryRun
	for _, n := range imp.Unlabelled {
		fmt.Fprintf(a.io.Err, "netipam: node %s has no label %s: not registered\n", n, safe(topo.Quote(o.torLabel)))
	}
	for _, k := range plan.kept {
		fmt.Fprintf(a.io.Err, "netipam: node %s is not in %s but holds %s: kept; release its addresses, then prune again\n",
			k.ID, safe(name), plural(k.Allocated, "address", "addresses"))
	}
	if !o.dryRun {
		if err := st.SyncNodes(ctx, plan.sync); err != nil {
			return err
		}
	}
	if a.json() {
		return a.printJSON(plan.rep)
	}
	verb := func(done, would string) string {
		if o.dryRun {
			return would
		}
		return done
	}
	for _, n := range plan.sync.Upsert {
		if plan.isNew[n.ID] {
			a.say("%s %s on %s", verb("registered", "would register"), n.ID, n.TOR)
		} else {
			a.say("%s %s on %s", verb("updated", "would update"), n.ID, n.TOR)
		}
	}
	for _, id := range plan.sync.Remove {
		a.say("%s %s", verb("removed", "would remove"), id)
	}
	a.say("%d registered, %d updated, %d unchanged, %d without label %s, %d removed, %d kept",
		len(plan.rep.Registered), len(plan.rep.Updated), len(plan.rep.Unchanged), len(plan.rep.Unlabelled),
		o.torLabel, len(plan.rep.Removed), len(plan.rep.Kept))
	return nil
}

type kubePlan struct {
	sync store.NodeSync
	rep  kubeImportJSON
	kept []store.NodeRow
	// isNew marks the nodes the batch registers for the first time.
	isNew map[string]bool
}

// planKubeImport compares the listed nodes with the stored ones: only what
// differs goes into the batch (the batch's statements are conditional
// anyway, so a plan made stale by another writer changes nothing wrong).
func planKubeImport(imp topo.KubeImport, stored []store.NodeRow, prune bool, listed int) kubePlan {
	p := kubePlan{sync: store.NodeSync{Detail: "kubernetes"}, isNew: map[string]bool{}}
	p.rep = kubeImportJSON{Registered: []string{}, Updated: []string{}, Unchanged: []string{},
		Unlabelled: orEmptyList(imp.Unlabelled), Removed: []string{}, Kept: []string{}}
	byID := make(map[string]store.NodeRow, len(stored))
	for _, r := range stored {
		byID[r.ID] = r
	}
	inList := make(map[string]bool, listed)
	for _, n := range imp.Unlabelled {
		inList[n] = true
	}
	for _, n := range imp.Nodes {
		inList[n.ID] = true
		r, ok := byID[n.ID]
		switch {
		case !ok:
			p.rep.Registered = append(p.rep.Registered, n.ID)
			p.isNew[n.ID] = true
		case r.Name == n.Name && r.TOR == n.TOR && maps.Equal(orEmptyLabels(r.Labels), n.Labels):
			p.rep.Unchanged = append(p.rep.Unchanged, n.ID)
			continue
		default:
			p.rep.Updated = append(p.rep.Updated, n.ID)
		}
		p.sync.Upsert = append(p.sync.Upsert, n)
	}
	if prune {
		for _, r := range stored {
			switch {
			case inList[r.ID]:
			case r.Allocated > 0:
				p.rep.Kept = append(p.rep.Kept, r.ID)
				p.kept = append(p.kept, r)
			default:
				p.rep.Removed = append(p.rep.Removed, r.ID)
				p.sync.Remove = append(p.sync.Remove, r.ID)
			}
		}
	}
	sort.Strings(p.rep.Registered)
	sort.Strings(p.rep.Updated)
	sort.Strings(p.rep.Unchanged)
	return p
}

func orEmptyList(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// plural writes a count with its noun.
func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
