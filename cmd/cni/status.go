package cni

import (
	"errors"
	"fmt"

	"github.com/containernetworking/cni/pkg/skel"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/cmd/server"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

// status answers whether an ADD on this node could succeed: the node is
// registered and its TOR has a free address of every family of every
// configured purpose. It reads; it never allocates.
func (p *plugin) status(args *skel.CmdArgs, c *config, svc server.Service) error {
	tor, err := svc.NodeTOR(p.ctx, c.Node)
	if errors.Is(err, topo.ErrNotFound) {
		return unavailableError{fmt.Errorf("node %s is not registered: register it with `netipam node register --id %s --tor TOR` or set ipam.node",
			c.Node, c.Node)}
	}
	if err != nil {
		return fmt.Errorf("look up node %s: %w", c.Node, err)
	}
	rows, err := svc.Subnets(p.ctx, store.SubnetFilter{TOR: &tor})
	if err != nil {
		return fmt.Errorf("look up subnets of %s: %w", tor, err)
	}
	for _, purpose := range c.Purposes {
		free := map[topo.Family]bool{} // family -> some subnet has room
		for _, r := range rows {
			if r.Purpose != purpose {
				continue
			}
			capacity, err := alloc.Capacity(r.Subnet)
			if err != nil {
				return fmt.Errorf("capacity of %s: %w", r.CIDR, err)
			}
			fam := topo.FamilyOf(r.CIDR.Addr())
			free[fam] = free[fam] || capacity > uint64(max(r.Used, 0))
		}
		if len(free) == 0 {
			return unavailableError{fmt.Errorf("TOR %s (node %s) has no %s subnet: add one with `netipam subnet add --tor %s --purpose %s --cidr CIDR`",
				tor, c.Node, purpose, tor, purpose)}
		}
		for _, fam := range []topo.Family{topo.IPv4, topo.IPv6} {
			if room, ok := free[fam]; ok && !room {
				return unavailableError{fmt.Errorf("TOR %s (node %s) has no free IPv%d %s address: add a subnet with `netipam subnet add --tor %s --purpose %s --cidr CIDR`",
					tor, c.Node, fam, purpose, tor, purpose)}
			}
		}
	}
	return nil
}
