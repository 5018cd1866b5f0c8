package cmd

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/netipam/netipam/outfile"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

type migrateConfigOptions struct {
	outDir    string
	zone, pod string
	torPrefix string
	purpose   string
	force     bool
	maxSize   fileSize
}

func newMigrateHostLocalConfigCmd(a *app) *cobra.Command {
	var o migrateConfigOptions
	c := &cobra.Command{
		Use:   "host-local-config NODE=CONFIG... --out-dir DIR",
		Short: "Turn host-local network configs (one per node) into a topology and nodes file",
		Long: `Read each node's host-local network config (a .conf or .conflist; its
ipam.ranges, or the legacy ipam.subnet, rangeStart, rangeEnd and gateway),
given as NODE=CONFIG, and write DIR/topology.yaml and DIR/nodes.yaml: the
compatibility mode of the design notes, one TOR per node (hl-NODE) holding
that node's ranges, in one zone and pod whose prefixes are the union of the
ranges. Each subnet keeps host-local's gateway (the one given, else the
first address) and excludes the addresses outside rangeStart-rangeEnd, so
netipam hands out what host-local would. Import them with
` + "`netipam topo import DIR/topology.yaml`" + ` and ` + "`netipam node import DIR/nodes.yaml`" + `, then
run ` + "`netipam migrate host-local`" + ` on each node. Ranges of two nodes must not
overlap. Existing files are not overwritten without --force. The store is
not read or changed.`,
		Example: `  netipam migrate host-local-config node-01=/srv/cni/node-01/10-pods.conflist \
    node-02=/srv/cni/node-02/10-pods.conflist --out-dir compat/
  netipam topo import --dry-run compat/topology.yaml`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error { return runMigrateConfig(a, o, args) },
	}
	f := c.Flags()
	f.StringVar(&o.outDir, "out-dir", "", "directory to write topology.yaml and nodes.yaml in (required)")
	f.StringVar(&o.zone, "zone", "host-local", "id of the zone holding the nodes' TORs")
	f.StringVar(&o.pod, "pod", "host-local-nodes", "id of the pod holding the nodes' TORs")
	f.StringVar(&o.torPrefix, "tor-prefix", "hl-", "a node's TOR id is this and the node's id")
	f.StringVar(&o.purpose, "purpose", topo.PurposeDefault, "purpose of the subnets")
	f.BoolVar(&o.force, "force", false, "overwrite existing output files")
	addMaxFileSize(f, &o.maxSize)
	c.MarkFlagRequired("out-dir")
	return c
}

func runMigrateConfig(a *app, o migrateConfigOptions, args []string) error {
	if err := topo.CheckPurpose("--purpose", o.purpose); err != nil {
		return usagef("%w", err)
	}
	var nodes []topo.CompatNode
	var errs topo.Errors
	network := ""
	for _, arg := range args {
		node, file, ok := strings.Cut(arg, "=")
		if !ok || node == "" || file == "" {
			return usagef("argument %s: write NODE=CONFIG, such as node-01=/etc/cni/net.d/10-pods.conflist", topo.Quote(arg))
		}
		data, err := readInput(file, "network config", o.maxSize)
		if err != nil {
			return err
		}
		name := displayPath(file)
		net, subnets, err := topo.ParseHostLocalConfig(name, data, o.purpose)
		var bad topo.Errors
		switch {
		case errors.As(err, &bad):
			errs = append(errs, bad...)
			continue
		case err != nil:
			return err
		}
		if network == "" {
			network = net
		} else if net != network {
			fmt.Fprintf(a.io.Err, "netipam: note: %s is network %s, not %s: the topology holds the ranges of every file all the same\n",
				name, safe(topo.Quote(net)), safe(topo.Quote(network)))
		}
		nodes = append(nodes, topo.CompatNode{ID: node, File: name, Subnets: subnets})
	}
	if len(errs) > 0 {
		return errs
	}
	t, ns, err := topo.CompatTopology(nodes, topo.CompatOptions{Zone: o.zone, Pod: o.pod, TORPrefix: o.torPrefix})
	if err != nil {
		return err
	}
	tdata, err := topo.MarshalTopology(t)
	if err != nil {
		return err
	}
	ndata, err := topo.MarshalNodes(ns)
	if err != nil {
		return err
	}
	header := fmt.Sprintf("# Written by `netipam migrate host-local-config` from %d host-local config(s):\n"+
		"# one TOR per node (compatibility mode). Move a node to a real TOR once it holds no address.\n", len(nodes))
	topoPath, nodesPath := filepath.Join(o.outDir, "topology.yaml"), filepath.Join(o.outDir, "nodes.yaml")
	if err := a.writeOutputs(o.force, map[string][]byte{topoPath: append([]byte(header), tdata...),
		nodesPath: append([]byte(header), ndata...)}); err != nil {
		return err
	}
	subnets := 0
	for _, n := range nodes {
		subnets += len(n.Subnets)
	}
	if a.json() {
		return a.printJSON(map[string]any{"topology": topoPath, "nodes": nodesPath, "tors": len(nodes), "subnets": subnets})
	}
	a.say("wrote %s (%d TORs, %d subnets) and %s (%d nodes)", topoPath, len(nodes), subnets, nodesPath, len(ns))
	a.say("next: netipam topo import --dry-run %s", topoPath)
	return nil
}

// writeOutputs writes each file whole (outfile: a temporary file renamed
// into place), after checking every target: either all are written, or
// (on a refused target) none. Existing files are replaced only with force,
// and never the store's own files, a link or anything but a regular file.
func (a *app) writeOutputs(force bool, files map[string][]byte) error {
	for path := range files {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return usagef("--out-dir: %w", err)
		}
	}
	url := a.storeURL
	if url == "" {
		url = store.DefaultURL()
	}
	g := outfile.Guard{Force: force, Exists: "remove it, pick another --out-dir, or overwrite with --force",
		Protect: store.Files(url), Perm: 0o644}
	return g.WriteAll(files)
}
