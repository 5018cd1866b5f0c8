package cni

import (
	"fmt"

	"github.com/containernetworking/cni/pkg/skel"

	"github.com/netipam/netipam/ipam"
	"github.com/netipam/netipam/topo"
)

// del releases what the attachment (network, container, interface) holds
// on this node. Nothing held is success, since runtimes retry DEL; what
// another network or another node holds is never touched.
func (p *plugin) del(args *skel.CmdArgs, c *config, svc ipam.Service) error {
	att := c.attachment(args)
	if _, err := svc.Release(p.ctx, topo.OwnedBy(c.Node, att), "release"); err != nil {
		return fmt.Errorf("release attachment %s on node %s: %w", att, c.Node, err)
	}
	return nil
}

// gc releases this node's container allocations of this network whose
// (container, ifname) is not among the runtime's valid attachments, and
// nothing else: other networks' attachments and addresses held by no
// container (from `netipam alloc`) stay.
func (p *plugin) gc(args *skel.CmdArgs, c *config, svc ipam.Service) error {
	f := topo.AllocationFilter{Node: &c.Node, Network: &c.Network, NotOwners: make([]topo.Attachment, 0, len(c.Keep))} // never nil: see topo.AllocationFilter
	for _, k := range c.Keep {
		f.NotOwners = append(f.NotOwners, topo.Attachment(k))
	}
	if _, err := svc.Release(p.ctx, f, "gc"); err != nil {
		return fmt.Errorf("release stale attachments of node %s: %w", c.Node, err)
	}
	return nil
}
