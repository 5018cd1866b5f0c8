package store

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/netipam/netipam/topo"
)

// EventCount is how many events of one kind the ledger holds for one TOR,
// purpose and subnet in a window.
type EventCount struct {
	TOR     string
	Purpose string
	Subnet  netip.Prefix
	Kind    string
	N       int64
}

// eventCountsSQL reads one window of the ledger: a range of the events_at
// index, whatever the ledger's size.
const eventCountsSQL = `SELECT tor_id, purpose, subnet, kind, COUNT(*) FROM events
	WHERE at > ? AND at <= ? AND kind IN ('allocate', 'release', 'gc')
	GROUP BY tor_id, purpose, subnet, kind`

// EventCountsStmt is the statement EventCounts runs (for query-plan tests
// and benchmarks).
func EventCountsStmt(from, to time.Time) Stmt {
	return Q(eventCountsSQL, from.UTC().Format(timeLayout), to.UTC().Format(timeLayout))
}

// EventCounts counts the allocate, release and gc events after from and up
// to to, per TOR, purpose, subnet and kind, in one indexed range read.
func (s *Store) EventCounts(ctx context.Context, from, to time.Time) ([]EventCount, error) {
	var out []EventCount
	err := s.each(ctx, EventCountsStmt(from, to), func(scan func(...any) error) error {
		var c EventCount
		var subnet string
		if err := scan(&c.TOR, &c.Purpose, &subnet, &c.Kind, &c.N); err != nil {
			return err
		}
		p, err := netip.ParsePrefix(subnet)
		if err != nil {
			return nil // an event without a subnet counts for no subnet
		}
		c.Subnet = p
		out = append(out, c)
		return ctx.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("count the ledger's events from %s to %s: %w", from.UTC().Format(time.RFC3339),
			to.UTC().Format(time.RFC3339), err)
	}
	return out, nil
}

// PodPrefixes gives every pod's prefixes.
func (s *Store) PodPrefixes(ctx context.Context) (map[string][]netip.Prefix, error) {
	out := map[string][]netip.Prefix{}
	err := s.each(ctx, Q(`SELECT pod_id, cidr FROM pod_cidrs ORDER BY pod_id, cidr`), func(scan func(...any) error) error {
		var pod, cidr string
		if err := scan(&pod, &cidr); err != nil {
			return err
		}
		p, err := netip.ParsePrefix(cidr)
		if err != nil {
			return fmt.Errorf("stored pod prefix %q of %s: %w", cidr, pod, err)
		}
		out[pod] = append(out[pod], p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read pod prefixes: %w", err)
	}
	return out, nil
}

// Family gives the family of the count's subnet.
func (c EventCount) Family() int { return int(topo.FamilyOfPrefix(c.Subnet)) }
