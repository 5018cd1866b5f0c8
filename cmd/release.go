package cmd

import (
	"net/netip"
	"strings"

	"github.com/spf13/cobra"

	"github.com/netipam/netipam/store"
)

type releaseOptions struct {
	ips       []string
	container string
	ifname    string
	node      string
}

func newReleaseCmd(a *app) *cobra.Command {
	var o releaseOptions
	c := &cobra.Command{
		Use:   "release (--ip IP | --container ID [--ifname IF] | --node NODE)",
		Short: "Release allocated addresses",
		Example: `  netipam release --ip 10.244.4.7
  netipam release --container c1 --ifname eth0
  netipam release --node node-01`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error { return runRelease(c, a, o) },
	}
	f := c.Flags()
	f.StringSliceVar(&o.ips, "ip", nil, "address(es) to release")
	f.StringVar(&o.container, "container", "", "release what this container holds")
	f.StringVar(&o.ifname, "ifname", "", "with --container: only this interface")
	f.StringVar(&o.node, "node", "", "release everything this node holds")
	return c
}

func runRelease(c *cobra.Command, a *app, o releaseOptions) error {
	filter, err := o.filter()
	if err != nil {
		return err
	}
	st, err := a.open(c.Context())
	if err != nil {
		return err
	}
	freed, err := st.Release(c.Context(), filter, "release")
	if err != nil {
		return err
	}
	if len(freed) == 0 {
		return topoNotFound("nothing released: no allocation matches %s", o.describe())
	}
	return a.printAllocations(freed)
}

func (o releaseOptions) filter() (store.AllocationFilter, error) {
	n := 0
	for _, set := range []bool{len(o.ips) > 0, o.container != "", o.node != ""} {
		if set {
			n++
		}
	}
	if n != 1 {
		return store.AllocationFilter{}, usagef("release: give exactly one of --ip, --container or --node")
	}
	if o.ifname != "" && o.container == "" {
		return store.AllocationFilter{}, usagef("--ifname goes with --container")
	}
	var f store.AllocationFilter
	for _, s := range o.ips {
		ip, err := netip.ParseAddr(s)
		if err != nil {
			return f, usagef("--ip %q: not an IP address", s)
		}
		f.Addresses = append(f.Addresses, ip)
	}
	if o.container != "" {
		f.Container = &o.container
		if o.ifname != "" {
			f.IfName = &o.ifname
		}
	}
	if o.node != "" {
		f.Node = &o.node
	}
	return f, nil
}

func (o releaseOptions) describe() string {
	switch {
	case len(o.ips) > 0:
		return "--ip " + strings.Join(o.ips, ",")
	case o.container != "":
		return "--container " + o.container
	}
	return "--node " + o.node
}
