package cni

import (
	"errors"
	"fmt"

	"github.com/containernetworking/cni/pkg/skel"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/ipam"
	"github.com/netipam/netipam/topo"
)

// status answers whether an ADD on this node could succeed: the node is
// registered and its TOR (or its pod's or zone's pool) has a free address
// of every family of every configured purpose. It reads; it never allocates.
func (p *plugin) status(args *skel.CmdArgs, c *config, svc ipam.Service) error {
	tor, err := svc.NodeTOR(p.ctx, c.Node)
	if errors.Is(err, topo.ErrNotFound) {
		return unavailableError{fmt.Errorf("node %s is not registered: register it with `netipam node register --id %s --tor TOR` or set ipam.node",
			c.Node, c.Node)}
	}
	if err != nil {
		return fmt.Errorf("look up node %s: %w", c.Node, err)
	}
	rows, err := svc.Subnets(p.ctx, topo.SubnetFilter{ForTOR: &tor})
	if err != nil {
		return fmt.Errorf("look up subnets of %s: %w", tor, err)
	}
	if err := alloc.CheckRoom(c.Node, tor, c.Purposes, ipam.SubnetUses(rows)); err != nil {
		if errors.Is(err, alloc.ErrNoRoom) {
			return unavailableError{err}
		}
		return err
	}
	return nil
}
