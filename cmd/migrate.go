package cmd

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/ipam"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

func newMigrateCmd(a *app) *cobra.Command {
	c := &cobra.Command{Use: "migrate", Short: "Take over from the host-local IPAM plugin"}
	c.AddCommand(newMigrateHostLocalCmd(a), newMigrateHostLocalConfigCmd(a))
	return c
}

type migrateHostLocalOptions struct {
	dataDir, network, node string
	legacyIfName           string
	dryRun                 bool
}

func newMigrateHostLocalCmd(a *app) *cobra.Command {
	var o migrateHostLocalOptions
	c := &cobra.Command{
		Use:   "host-local --data-dir DIR --network NET --node NODE [--dry-run]",
		Short: "Import the addresses a node's host-local plugin holds as netipam allocations",
		Long: `Read host-local's data directory of one network on one node (a file per
address, named by it, holding the container ID and interface) and record
each address as an allocation of that network, container and interface on
the node, in one atomic batch with its ledger events. Run it on the node
before switching the node's CNI config from host-local to netipam: netipam
then never hands out an address a container still uses.

Addresses netipam never hands out anyway (outside the subnets of the node's
TOR, a gateway, network, broadcast or excluded address) are listed on
stderr and skipped. An address netipam holds for another attachment, or a
second address of one purpose and family for an attachment, is a conflict:
each is listed, nothing is recorded, exit 4. Running it again records
nothing new (exit 0). With --server the server records them (the data
directory is still read here, on the node).`,
		Example: `  netipam migrate host-local --data-dir /var/lib/cni/networks/k8s-pod-network \
    --network k8s-pod-network --node node-01 --dry-run`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error { return runMigrateHostLocal(c, a, o) },
	}
	f := c.Flags()
	f.StringVar(&o.dataDir, "data-dir", "", "host-local's data directory of the network, /var/lib/cni/networks/NET (required)")
	f.StringVar(&o.network, "network", "", "the CNI network's name, as in its config (required)")
	f.StringVar(&o.node, "node", "", "the node whose host-local leases these are (required)")
	f.StringVar(&o.legacyIfName, "legacy-ifname", "eth0", "interface of leases written before host-local v0.7 (container ID alone)")
	f.BoolVar(&o.dryRun, "dry-run", false, "print what would be imported, change nothing")
	for _, r := range []string{"data-dir", "network", "node"} {
		c.MarkFlagRequired(r)
	}
	return c
}

// adoptedJSON is one lease in the -o json report.
type adoptedJSON struct {
	Address   string `json:"address"`
	Container string `json:"container"`
	IfName    string `json:"ifname"`
	Subnet    string `json:"subnet,omitempty"`
	Purpose   string `json:"purpose,omitempty"`
	Reason    string `json:"reason,omitempty"`
}

type migrateJSON struct {
	Imported  []adoptedJSON `json:"imported"`
	Already   []adoptedJSON `json:"already"`
	Skipped   []adoptedJSON `json:"skipped"`
	Conflicts []adoptedJSON `json:"conflicts"`
	DryRun    bool          `json:"dry_run"`
}

func runMigrateHostLocal(c *cobra.Command, a *app, o migrateHostLocalOptions) error {
	ctx := c.Context()
	if err := topo.ValidateAttachment(topo.Attachment{Network: o.network, Container: "x", IfName: o.legacyIfName}); err != nil {
		return usagef("--network / --legacy-ifname: %w", err)
	}
	if err := topo.CheckID("--node", o.node); err != nil {
		return usagef("%w", err)
	}
	if base := filepath.Base(filepath.Clean(o.dataDir)); base != o.network {
		fmt.Fprintf(a.io.Err, "netipam: note: --data-dir ends in %s, not the network %s (host-local keeps network NET in DIR/NET)\n",
			safe(topo.Quote(base)), o.network)
	}
	leases, err := readHostLocalDir(ctx, o.dataDir, o.legacyIfName)
	if err != nil {
		return err
	}
	source := "host-local " + displayPath(filepath.Clean(o.dataDir))
	if len(source) > topo.MaxNameLen {
		source = source[:topo.MaxNameLen-3] + "..."
	}
	req := ipam.AdoptRequest{Node: o.node, Network: o.network, DryRun: o.dryRun, Source: source}
	for _, l := range leases {
		req.Leases = append(req.Leases, alloc.Lease{Addr: l.Addr, Container: l.Container, IfName: l.IfName})
		if l.Legacy {
			fmt.Fprintf(a.io.Err, "netipam: note: lease %s of container %s names no interface (host-local before v0.7): taken as %s\n",
				l.Addr, l.Container, l.IfName)
		}
	}
	if err := req.Validate(); err != nil {
		return usagef("%w", err)
	}
	svc, err := a.service(ctx, store.ModeExisting)
	if err != nil {
		return err
	}
	ad, err := svc.Adopt(ctx, req)
	if err != nil {
		return err
	}
	for _, r := range ad.Skipped {
		fmt.Fprintf(a.io.Err, "netipam: skipped %s (container %s, %s): %s\n", r.Lease.Addr, r.Lease.Container, safe(r.Lease.IfName), safe(r.Reason))
	}
	if len(ad.Conflicts) > 0 {
		var errs topo.Errors
		for _, r := range ad.Conflicts {
			errs = append(errs, &topo.Error{Kind: topo.ErrConflict, Msg: fmt.Sprintf("%s (container %s, %s): %s",
				r.Lease.Addr, r.Lease.Container, r.Lease.IfName, r.Reason)})
		}
		return errs
	}
	return printAdoption(a, ad, o.dryRun)
}

func printAdoption(a *app, ad alloc.Adoption, dryRun bool) error {
	rep := migrateJSON{Imported: []adoptedJSON{}, Already: []adoptedJSON{}, Skipped: []adoptedJSON{}, Conflicts: []adoptedJSON{}, DryRun: dryRun}
	for _, n := range ad.New {
		rep.Imported = append(rep.Imported, adoptedJSON{n.Address.String(), n.Container, n.IfName, n.Subnet.String(), n.Purpose, ""})
	}
	for _, n := range ad.Already {
		rep.Already = append(rep.Already, adoptedJSON{n.Address.String(), n.Container, n.IfName, n.Subnet.String(), n.Purpose, ""})
	}
	for _, r := range ad.Skipped {
		rep.Skipped = append(rep.Skipped, adoptedJSON{r.Lease.Addr.String(), r.Lease.Container, r.Lease.IfName, "", "", r.Reason})
	}
	if a.json() {
		return a.printJSON(rep)
	}
	verb := "imported"
	if dryRun {
		verb = "would import"
	}
	for _, n := range ad.New {
		a.say("%s %s (container %s, %s) in %s, purpose %s", verb, n.Address, n.Container, n.IfName, n.Subnet, n.Purpose)
	}
	a.say("%d %s, %d already imported, %d skipped", len(ad.New), verb, len(ad.Already), len(ad.Skipped))
	return nil
}
