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
// purpose and family in the subnet it took first while that has room.
//
// It costs one seek of the allocations_node index (node_id, network,
// subnet) per subnet the node uses, whatever the number of its addresses:
// the recursive CTE skips from one subnet of the node's range to the next,
// and a subnet's earliest row is the first entry of its range (an index
// entry ends with the rowid). migrations/0011 gives the reason.
func (s *Store) FirstUse(ctx context.Context, node, network string) ([]topo.SubnetUse, error) {
	return s.firstUse(ctx, node, network)
}

// firstUseSQL takes the node (?1) and the network (?2).
const firstUseSQL = `WITH RECURSIVE used(subnet) AS (
		SELECT (SELECT MIN(subnet) FROM allocations WHERE node_id = ?1 AND network = ?2)
		UNION ALL
		SELECT (SELECT MIN(subnet) FROM allocations WHERE node_id = ?1 AND network = ?2 AND subnet > used.subnet)
		FROM used WHERE used.subnet IS NOT NULL)
	SELECT used.subnet, a.purpose, a.rowid FROM used
	JOIN allocations a ON a.rowid = (SELECT MIN(rowid) FROM allocations
		WHERE node_id = ?1 AND network = ?2 AND subnet = used.subnet)
	WHERE used.subnet IS NOT NULL`

func (s *Store) firstUse(ctx context.Context, node, network string) ([]topo.SubnetUse, error) {
	var out []topo.SubnetUse
	err := s.each(ctx, Q(firstUseSQL, node, network),
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
