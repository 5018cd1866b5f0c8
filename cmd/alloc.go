package cmd

import (
	"net/netip"
	"strings"

	"github.com/spf13/cobra"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

type allocOptions struct {
	node      string
	purposes  []string
	family    string
	ips       []string
	container string
	ifname    string
	network   string
	pod       string
	count     int
}

func newAllocCmd(a *app) *cobra.Command {
	var o allocOptions
	c := &cobra.Command{
		Use:   "alloc --node NODE [--purpose P]...",
		Short: "Allocate addresses to a node from its TOR's subnets",
		Long: `Allocate one address per purpose and family from the node's TOR subnets
(the least used subnet first). With --container, the attachment
(--network, --container, --ifname: the CNI spec's key) owns the addresses:
asked again on the same node it gets the same addresses back; asked on
another node it is refused.`,
		Example: `  netipam alloc --node node-01 --purpose storage
  netipam alloc --node node-01 --container c1 --ifname eth0 --pod ns/web-0 -o json
  netipam alloc --node node-01 --ip 10.244.0.50
  netipam alloc --node node-01 --count 16 --family 4`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error { return runAlloc(c, a, o) },
	}
	f := c.Flags()
	f.StringVar(&o.node, "node", "", "node ID (required)")
	f.StringSliceVar(&o.purposes, "purpose", []string{topo.PurposeDefault}, "purpose(s): default, storage, management or custom; repeat or comma-separate")
	f.StringVar(&o.family, "family", "all", "address family: 4, 6 or all (every family the TOR has)")
	f.StringSliceVar(&o.ips, "ip", nil, "specific address(es) to allocate")
	f.StringVar(&o.container, "container", "", "container ID owning the addresses")
	f.StringVar(&o.ifname, "ifname", "eth0", "interface name, with --container")
	f.StringVar(&o.network, "network", "", "CNI network name, with --container (empty: the CLI's own addresses)")
	f.StringVar(&o.pod, "pod", "", "Kubernetes pod as namespace/name, recorded with the allocation")
	f.IntVar(&o.count, "count", 1, "addresses per purpose and family, allocated as one atomic batch")
	c.MarkFlagRequired("node")
	return c
}

func runAlloc(c *cobra.Command, a *app, o allocOptions) error {
	req, err := o.request(c.Flags().Changed("ifname"))
	if err != nil {
		return err
	}
	svc, err := a.service(c.Context(), store.ModeExisting)
	if err != nil {
		return err
	}
	allocs, err := svc.Allocate(c.Context(), req)
	if err != nil {
		return err
	}
	return a.printAllocations(allocs)
}

func (o allocOptions) request(ifnameSet bool) (alloc.Request, error) {
	req := alloc.Request{Node: o.node, Purposes: o.purposes, Container: o.container, Network: o.network, Count: o.count}
	if o.node == "" {
		return req, usagef("--node: give the node ID")
	}
	for _, p := range o.purposes {
		if p == "" {
			return req, usagef("--purpose: empty purpose")
		}
	}
	switch o.family {
	case "4":
		req.Family = topo.IPv4
	case "6":
		req.Family = topo.IPv6
	case "all", "":
	default:
		return req, usagef("--family %q: use 4, 6 or all", o.family)
	}
	if o.count < 1 || o.count > 65536 {
		return req, usagef("--count %d: use 1 to 65536", o.count)
	}
	for _, s := range o.ips {
		ip, err := netip.ParseAddr(s)
		if err != nil {
			return req, usagef("--ip %q: not an IP address", s)
		}
		req.IPs = append(req.IPs, ip)
	}
	if o.container != "" {
		req.IfName = o.ifname
	} else if ifnameSet || o.network != "" {
		return req, usagef("--ifname and --network go with --container")
	}
	if o.pod != "" {
		ns, name, ok := strings.Cut(o.pod, "/")
		if !ok || ns == "" || name == "" {
			return req, usagef("--pod %q: use namespace/name", o.pod)
		}
		req.PodNS, req.PodName = ns, name
	}
	if o.count > 1 && (o.container != "" || len(req.IPs) > 0) {
		return req, usagef("--count %d goes with neither --container nor --ip", o.count)
	}
	if err := req.Validate(); err != nil {
		return req, usagef("%w", err)
	}
	return req, nil
}
