package store

import (
	"context"
	"fmt"

	"github.com/netipam/netipam/topo"
)

// TopologyPlan is what importing a topology file would do: every check the
// import makes has passed when a plan exists, so a dry run and a real run
// refuse the same files with the same messages.
type TopologyPlan struct {
	// Result is the topology the store holds after the import.
	Result *topo.Topology
	// Changes are what the import writes, in order.
	Changes []topo.Change
	// Kept are the stored zones, pods, TORs and subnets the file does not
	// declare, kept because the import does not prune.
	Kept []topo.Change
}

// PlanTopology reads the stored topology and plans the import of f: the
// topology the store would hold (see topo.File.Merge) is validated whole,
// and checked against what the store holds beyond the topology: a subnet
// that holds allocations is never removed, moved to another TOR or
// repurposed, no new exclude or gateway covers an allocated address, no
// TOR with nodes is removed, no subnet overlaps one of a virtual TOR. Every
// problem is reported, each naming its object. Work is linear in the file
// and the stored topology.
func (s *Store) PlanTopology(ctx context.Context, f *topo.File, prune bool) (*TopologyPlan, error) {
	current, err := s.LoadTopology(ctx)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("plan topology: %w", err)
	}
	result, err := f.Merge(current, prune)
	if err != nil {
		return nil, err
	}
	p := &TopologyPlan{Result: result, Changes: topo.Diff(current, result)}
	if c, ok := topo.ExpansionChange(current.Expansion, result.Expansion); ok {
		p.Changes = append(p.Changes, c)
	}
	if !prune {
		for _, c := range topo.Diff(current, f.Topology) {
			if c.Op == topo.OpRemove {
				p.Kept = append(p.Kept, c)
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("plan topology: %w", err)
	}
	if err := s.checkPlan(ctx, current, p); err != nil {
		return nil, err
	}
	return p, nil
}
