package store

import (
	"context"
	"errors"
	"fmt"
	"net/netip"

	"github.com/netipam/netipam/topo"
)

// AdoptAllocations records allocations taken over from another IPAM (a
// node's host-local leases) in one atomic batch: the allocations with
// their "allocate" events, as InsertAllocations records them, and one
// "import" event saying where they came from (source.Detail). A constraint
// that refuses one row (an address someone allocated since) refuses them
// all.
func (s *Store) AdoptAllocations(ctx context.Context, allocs []topo.Allocation, source Event) error {
	if len(allocs) == 0 {
		return nil
	}
	source.Kind = "import"
	b := append(s.insertStmts(allocs), s.event(source))
	if _, err := s.db.Exec(ctx, b...); err != nil {
		if errors.Is(err, ErrConflict) {
			return fmt.Errorf("record %d adopted allocation(s): one was allocated since they were checked, nothing was recorded: run the migration again to see which (%w)", len(allocs), err)
		}
		return fmt.Errorf("record %d adopted allocation(s): %w", len(allocs), err)
	}
	return nil
}

// HeldFor lists what an adoption must know: the stored allocations of the
// given addresses (read 500 at a time from the address index) and the
// node's allocations of the network (from the node index).
func (s *Store) HeldFor(ctx context.Context, node, network string, addrs []netip.Addr) ([]topo.Allocation, error) {
	out, err := s.Allocations(ctx, topo.AllocationFilter{Node: &node, Network: &network})
	if err != nil {
		return nil, err
	}
	for len(addrs) > 0 {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("read held addresses: %w", err)
		}
		n := min(len(addrs), 500)
		part, err := s.Allocations(ctx, topo.AllocationFilter{Addresses: addrs[:n]})
		if err != nil {
			return nil, err
		}
		out = append(out, part...)
		addrs = addrs[n:]
	}
	return out, nil
}
