package store

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/netipam/netipam/topo"
)

// FirstUse lists the subnets a node holds addresses of in a network, each
// with the ledger order (rowid) of the node's earliest allocation still
// held there: the allocator keeps a node's addresses of one network,
// purpose and family in the subnet it took first while that has room. One
// range of the allocations_node index, the node's rows of that network.
func (s *Store) FirstUse(ctx context.Context, node, network string) ([]topo.SubnetUse, error) {
	var out []topo.SubnetUse
	err := s.each(ctx, Q(`SELECT subnet, purpose, MIN(rowid) FROM allocations
		WHERE node_id = ? AND network = ? GROUP BY subnet`, node, network),
		func(scan func(...any) error) error {
			var u topo.SubnetUse
			var subnet string
			if err := scan(&subnet, &u.Purpose, &u.First); err != nil {
				return err
			}
			p, err := netip.ParsePrefix(subnet)
			if err != nil {
				return fmt.Errorf("stored subnet %q: %w", subnet, err)
			}
			u.Subnet = p
			out = append(out, u)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("read the subnets node %s uses in network %q: %w", node, network, err)
	}
	return out, nil
}

// Unrecord releases exactly these allocations, each by address and owner,
// in one atomic batch ("release" events): what an allocator takes back
// when it moves an attachment's address to the node's subnet.
func (s *Store) Unrecord(ctx context.Context, allocs []topo.Allocation) error {
	if len(allocs) == 0 {
		return nil
	}
	a := allocs[0]
	f := topo.OwnedBy(a.Node, topo.Attachment{Network: a.Network, Container: a.Container, IfName: a.IfName})
	for _, x := range allocs {
		f.Addresses = append(f.Addresses, x.Address)
	}
	if _, err := s.Release(ctx, f, "release"); err != nil {
		return fmt.Errorf("take back %d allocation(s) of %s: %w", len(allocs), f.Addresses, err)
	}
	return nil
}
