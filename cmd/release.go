package cmd

import (
	"net/netip"
	"strings"

	"github.com/spf13/cobra"

	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

type releaseOptions struct {
	ips       []string
	container string
	ifname    string
	network   string
	node      string
}

func newReleaseCmd(a *app) *cobra.Command {
	var o releaseOptions
	c := &cobra.Command{
		Use:   "release (--ip IP | --container ID [--network NET] [--ifname IF] [--node NODE] | --node NODE)",
		Short: "Release allocated addresses",
		Long: `Release addresses, atomically: by address, by attachment (--network,
--container and optionally --ifname: the CNI spec's key; --network defaults
to the CLI's own, empty network), or everything a node holds. --node with
--container releases the attachment only where it is on that node.`,
		Example: `  netipam release --ip 10.244.4.7
  netipam release --container c1 --ifname eth0
  netipam release --network rack-net --container 3f2a... --ifname eth0 --node node-01
  netipam release --node node-01`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error { return runRelease(c, a, o) },
	}
	f := c.Flags()
	f.StringSliceVar(&o.ips, "ip", nil, "address(es) to release")
	f.StringVar(&o.container, "container", "", "release what this container holds in --network")
	f.StringVar(&o.ifname, "ifname", "", "with --container: only this interface")
	f.StringVar(&o.network, "network", "", "with --container: the CNI network name (empty: the CLI's own addresses)")
	f.StringVar(&o.node, "node", "", "release everything this node holds (with --container: only on this node)")
	return c
}

func runRelease(c *cobra.Command, a *app, o releaseOptions) error {
	filter, err := o.filter()
	if err != nil {
		return err
	}
	svc, err := a.service(c.Context(), store.ModeExisting)
	if err != nil {
		return err
	}
	freed, err := svc.Release(c.Context(), filter, "release")
	if err != nil {
		return err
	}
	if len(freed) == 0 {
		return topoNotFound("nothing released: no allocation matches %s", o.describe())
	}
	return a.printAllocations(freed)
}

func (o releaseOptions) filter() (topo.AllocationFilter, error) {
	n := 0
	for _, set := range []bool{len(o.ips) > 0, o.container != "", o.node != "" && o.container == ""} {
		if set {
			n++
		}
	}
	if n != 1 {
		return topo.AllocationFilter{}, usagef("release: give exactly one of --ip, --container or --node")
	}
	if (o.ifname != "" || o.network != "") && o.container == "" {
		return topo.AllocationFilter{}, usagef("--ifname and --network go with --container")
	}
	var f topo.AllocationFilter
	if err := topo.CheckListLen("--ip", len(o.ips), topo.MaxAddresses); err != nil {
		return f, usagef("release: %w", err)
	}
	for _, s := range o.ips {
		ip, err := netip.ParseAddr(s)
		if err != nil {
			return f, usagef("--ip %q: not an IP address", s)
		}
		f.Addresses = append(f.Addresses, ip)
	}
	if o.container != "" {
		ifname := o.ifname
		if ifname == "" {
			ifname = "eth0" // only checked: the filter leaves the interface open
		}
		if err := topo.ValidateAttachment(topo.Attachment{Network: o.network, Container: o.container, IfName: ifname}); err != nil {
			return f, usagef("%w", err)
		}
		f.Container, f.Network = &o.container, &o.network
		if o.ifname != "" {
			f.IfName = &o.ifname
		}
	}
	if o.node != "" {
		f.Node = &o.node
	}
	if err := f.Validate(); err != nil {
		return f, usagef("release: %w", err)
	}
	return f, nil
}

func (o releaseOptions) describe() string {
	switch {
	case len(o.ips) > 0:
		return "--ip " + strings.Join(o.ips, ",")
	case o.container != "":
		d := "--container " + o.container
		if o.network != "" {
			d = "--network " + o.network + " " + d
		}
		if o.ifname != "" {
			d += " --ifname " + o.ifname
		}
		if o.node != "" {
			d += " --node " + o.node
		}
		return d
	}
	return "--node " + o.node
}
