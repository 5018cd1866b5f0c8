package store

import (
	"context"
	"fmt"
	"net/netip"
	"time"
)

// Reclaimable is an expanded block with no allocation whose last
// allocation or release (or, without any, its creation) is older than a
// grace period.
type Reclaimable struct {
	CIDR    netip.Prefix `json:"cidr"`
	TOR     string       `json:"tor"`
	Purpose string       `json:"purpose"`
	// EmptySince is the time of the block's last allocation or release,
	// or of its creation.
	EmptySince time.Time `json:"empty_since"`
	// lastEvent is the ID of that event (0 for none): the reclaim is made
	// only if no newer one exists.
	lastEvent int64
}

// Reclaimable lists the expanded blocks empty since before cutoff. Imported
// and CLI-added subnets are never listed.
func (s *Store) Reclaimable(ctx context.Context, cutoff time.Time) ([]Reclaimable, error) {
	type row struct {
		r       Reclaimable
		created string
		used    int64
	}
	var rows []row
	err := s.each(ctx, Q(`SELECT s.cidr, s.tor_id, s.purpose, s.created_at,
			EXISTS (SELECT 1 FROM allocations a WHERE a.subnet = s.cidr),
			COALESCE((SELECT MAX(e.id) FROM events e WHERE e.subnet = s.cidr AND e.kind IN ('allocate', 'release', 'gc')), 0)
		FROM subnets s WHERE s.source = 'expand' ORDER BY s.tor_id`),
		func(scan func(...any) error) error {
			var x row
			var cidr string
			if err := scan(&cidr, &x.r.TOR, &x.r.Purpose, &x.created, &x.used, &x.r.lastEvent); err != nil {
				return err
			}
			p, err := netip.ParsePrefix(cidr)
			if err != nil {
				return fmt.Errorf("stored subnet %q: %w", cidr, err)
			}
			x.r.CIDR = p
			rows = append(rows, x)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("list expanded blocks: %w", err)
	}
	var out []Reclaimable
	for _, x := range rows {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("list expanded blocks: %w", err)
		}
		if x.used != 0 {
			continue
		}
		at := x.created
		if x.r.lastEvent != 0 {
			if err := s.one(ctx, Q(`SELECT at FROM events WHERE id = ?`, x.r.lastEvent), &at); err != nil {
				return nil, fmt.Errorf("read event %d: %w", x.r.lastEvent, err)
			}
		}
		x.r.EmptySince = parseStamp(at)
		if x.r.EmptySince.Before(cutoff) {
			out = append(out, x.r)
		}
	}
	return out, nil
}

// Reclaim deletes the blocks in one atomic batch, each with its ledger
// event, each only if it is still an expanded block with no allocation and
// no allocation or release newer than the one Reclaimable saw: a block
// used meanwhile is kept. It returns the blocks deleted.
func (s *Store) Reclaim(ctx context.Context, blocks []Reclaimable, grace time.Duration) ([]Reclaimable, error) {
	if len(blocks) == 0 {
		return nil, nil
	}
	var b []Stmt
	for _, r := range blocks {
		c := r.CIDR.String()
		b = append(b,
			Q(`DELETE FROM subnets WHERE cidr = ? AND source = 'expand'
				AND NOT EXISTS (SELECT 1 FROM allocations WHERE subnet = ?)
				AND NOT EXISTS (SELECT 1 FROM events WHERE subnet = ? AND kind IN ('allocate', 'release', 'gc') AND id > ?)`,
				c, c, c, r.lastEvent),
			s.eventWhere(Event{Kind: "subnet", Subnet: c, TOR: r.TOR, Purpose: r.Purpose,
				Detail: fmt.Sprintf("reclaim expanded block: empty since %s (grace %s)", r.EmptySince.UTC().Format(time.RFC3339), grace)},
				`changes() = 1`))
	}
	res, err := s.db.Exec(ctx, b...)
	if err != nil {
		return nil, fmt.Errorf("reclaim expanded blocks: %w", err)
	}
	var out []Reclaimable
	for i, r := range blocks {
		if 2*i < len(res) && res[2*i] == 1 {
			out = append(out, r)
		}
	}
	return out, nil
}
