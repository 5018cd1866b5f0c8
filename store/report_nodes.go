package store

import (
	"context"
	"fmt"
)

// NodeCount is what one node holds of one purpose and family.
type NodeCount struct {
	Node        string `json:"node"`
	TOR         string `json:"tor"`
	Purpose     string `json:"purpose,omitempty"`
	Family      int    `json:"family,omitempty"`
	Allocations int64  `json:"allocations"`
	// NodeHeld are the addresses held by the node itself (no container).
	NodeHeld int64 `json:"node_held"`
}

// nodeCountsSQL is one GROUP BY read in node order from allocations_node
// (node_id, network): every allocation once, no other table.
const nodeCountsSQL = `SELECT node_id, purpose, family, COUNT(*), SUM(container IS NULL)
	FROM allocations GROUP BY node_id, purpose, family`

// NodeCounts gives the allocations of every node per purpose and family,
// by node, purpose and family; a registered node that holds nothing has
// one row with zero allocations (and no purpose).
func (s *Store) NodeCounts(ctx context.Context) ([]NodeCount, error) {
	tors := map[string]string{}
	var order []string
	err := s.each(ctx, Q(`SELECT id, tor_id FROM nodes ORDER BY id`), func(scan func(...any) error) error {
		var id, tor string
		if err := scan(&id, &tor); err != nil {
			return err
		}
		tors[id] = tor
		order = append(order, id)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read nodes: %w", err)
	}
	byNode := map[string][]NodeCount{}
	err = s.each(ctx, Q(nodeCountsSQL), func(scan func(...any) error) error {
		var c NodeCount
		var fam int64
		if err := scan(&c.Node, &c.Purpose, &fam, &c.Allocations, &c.NodeHeld); err != nil {
			return err
		}
		c.Family, c.TOR = int(fam), tors[c.Node]
		byNode[c.Node] = append(byNode[c.Node], c)
		return ctx.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("count allocations per node: %w", err)
	}
	out := make([]NodeCount, 0, len(order))
	for _, n := range order {
		if cs, ok := byNode[n]; ok {
			out = append(out, cs...)
			continue
		}
		out = append(out, NodeCount{Node: n, TOR: tors[n]})
	}
	return out, nil
}
