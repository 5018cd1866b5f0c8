package cni

import (
	"os"

	"github.com/containernetworking/cni/pkg/skel"
	"github.com/containernetworking/cni/pkg/types"

	"github.com/netipam/netipam/alloc"
)

// add allocates one address per purpose and family for the container
// interface, all or nothing, and prints them. The same container and
// interface asked again get the same addresses back.
func (p *plugin) add(args *skel.CmdArgs) error {
	c, err := parseConfig(args.StdinData, os.Hostname)
	if err != nil {
		return err
	}
	st, err := p.open(c)
	if err != nil {
		return err
	}
	ns, name := podArgs(args.Args)
	allocs, err := alloc.NewAllocator(st).Allocate(p.ctx, alloc.Request{
		Node: c.Node, Purposes: c.Purposes, IPs: c.IPs,
		Container: args.ContainerID, IfName: args.IfName, PodNS: ns, PodName: name,
	})
	if err != nil {
		return err
	}
	return types.PrintResult(c.result(allocs), c.CNIVersion)
}
