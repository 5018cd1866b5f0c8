package cni

import (
	"github.com/containernetworking/cni/pkg/skel"
	"github.com/containernetworking/cni/pkg/types"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/ipam"
)

// add allocates one address per purpose and family for the attachment
// (network, container, interface), all or nothing, and prints them. The
// same attachment asked again on the same node gets the same addresses
// back; one held on another node is refused.
func (p *plugin) add(args *skel.CmdArgs, c *config, svc ipam.Service) error {
	ns, name := podArgs(args.Args)
	allocs, err := svc.Allocate(p.ctx, alloc.Request{
		Node: c.Node, Purposes: c.Purposes, IPs: c.IPs,
		Container: args.ContainerID, IfName: args.IfName, Network: c.Network, PodNS: ns, PodName: name,
	})
	if err != nil {
		return err
	}
	if err := c.aggregateRoutes(p.ctx, svc, allocs); err != nil {
		return err
	}
	return types.PrintResult(c.result(allocs), c.CNIVersion)
}
