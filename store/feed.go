package store

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/netipam/netipam/topo"
)

// The ledger as a change feed: events are appended with increasing IDs, so
// a long-lived process that remembers the last ID it applied reads exactly
// what others wrote since, by the primary key (no scan, whatever the size
// of the ledger).

// LastEventID gives the ID of the newest event (0 for an empty ledger).
func (s *Store) LastEventID(ctx context.Context) (int64, error) {
	var id int64
	if err := s.one(ctx, Q(`SELECT COALESCE(MAX(id), 0) FROM events`), &id); err != nil {
		return 0, fmt.Errorf("read the last event id: %w", err)
	}
	return id, nil
}

// EventsAfter reads at most limit events with an ID above afterID, oldest
// first.
func (s *Store) EventsAfter(ctx context.Context, afterID int64, limit int) ([]Event, error) {
	return s.readEvents(ctx, Q(`SELECT `+eventCols+` FROM events WHERE id > ? ORDER BY id LIMIT ?`,
		afterID, int64(limit)))
}

// AllocationChanges calls fn, in ID order, for at most limit events with an
// ID above afterID, and gives the last ID read (afterID if none). For an
// allocate, release or gc event fn gets its kind, subnet and address; other
// events (topology, import) come with an invalid subnet and address, so
// that the caller still advances past them. It reads only the columns a
// pool needs.
func (s *Store) AllocationChanges(ctx context.Context, afterID int64, limit int,
	fn func(kind string, subnet netip.Prefix, addr netip.Addr)) (int64, error) {
	last := afterID
	err := s.each(ctx, Q(`SELECT id, kind, subnet, address FROM events WHERE id > ? ORDER BY id LIMIT ?`,
		afterID, int64(limit)),
		func(scan func(...any) error) error {
			var kind, subnet, address string
			if err := scan(&last, &kind, &subnet, &address); err != nil {
				return err
			}
			var p netip.Prefix
			var a netip.Addr
			switch kind {
			case "allocate", "release", "gc":
				p, _ = netip.ParsePrefix(subnet)
				a, _ = netip.ParseAddr(address)
			}
			fn(kind, p, a)
			return nil
		})
	if err != nil {
		return last, fmt.Errorf("read the ledger after event %d: %w", last, err)
	}
	return last, nil
}

// SubnetDefinitions lists every stored subnet with its gateway and
// reservations: what a long-lived allocator compares its pools with when
// the feed shows a topology change. One read of the subnets table.
func (s *Store) SubnetDefinitions(ctx context.Context) ([]topo.Subnet, error) {
	var out []topo.Subnet
	err := s.each(ctx, Q(`SELECT `+subnetCols+` FROM subnets s`), func(scan func(...any) error) error {
		sn, err := scanSubnet(scan)
		out = append(out, sn)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read the subnets' definitions: %w", err)
	}
	return out, nil
}
