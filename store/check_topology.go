package store

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/netipam/netipam/topo"
)

// checkSubnets reports overlapping subnets and subnets outside their
// TOR's pod, in one pass over subnets in address order (subnets_range):
// a subnet overlaps an earlier one exactly when it starts at or before the
// furthest end seen so far.
func (s *Store) checkSubnets(ctx context.Context, r *CheckReport) error {
	pods, err := s.PodCIDRs(ctx)
	if err != nil {
		return err
	}
	var reach struct{ cidr, tor, last string }
	err = s.each(ctx, Q(`SELECT s.cidr, s.tor_id, s.first_key, s.last_key, COALESCE(t.pod_id, '')
		FROM subnets s LEFT JOIN tors t ON t.id = s.tor_id ORDER BY s.first_key, s.last_key`),
		func(scan func(...any) error) error {
			var cidr, tor, first, last, pod string
			if err := scan(&cidr, &tor, &first, &last, &pod); err != nil {
				return err
			}
			if reach.cidr != "" && first <= reach.last {
				r.Add(Problem{Kind: ProblemSubnetOverlap,
					Message: fmt.Sprintf("subnet %s (TOR %s) overlaps subnet %s (TOR %s)", cidr, tor, reach.cidr, reach.tor),
					Objects: []Ref{{"subnet", cidr}, {"subnet", reach.cidr}, {"tor", tor}, {"tor", reach.tor}}})
			}
			if last > reach.last || reach.cidr == "" {
				reach.cidr, reach.tor, reach.last = cidr, tor, last
			}
			p, err := netip.ParsePrefix(cidr)
			if err != nil {
				return fmt.Errorf("stored subnet %q: %w", cidr, err)
			}
			if why := topo.SubnetLengthProblem(p); why != "" {
				r.Add(Problem{Kind: ProblemSubnetUnusable,
					Message: fmt.Sprintf("subnet %s of TOR %s: %s; netipam never allocates from it: remove it (netipam subnet remove, or drop it from the topology file and import with --prune)", cidr, tor, why),
					Objects: []Ref{{"subnet", cidr}, {"tor", tor}}})
			}
			if pod != "" && !insideAny(p, pods[pod]) {
				r.Add(Problem{Kind: ProblemOutsidePod,
					Message: fmt.Sprintf("subnet %s of TOR %s is outside every IPv%d prefix of its pod %s (%v)",
						cidr, tor, family(p), pod, pods[pod]),
					Objects: []Ref{{"subnet", cidr}, {"tor", tor}, {"pod", pod}}})
			}
			return nil
		})
	if err != nil {
		return fmt.Errorf("subnets: %w", err)
	}
	return nil
}

// insideAny reports whether p lies inside one of the prefixes of its
// family, or there is none of its family (a pod need not declare one).
func insideAny(p netip.Prefix, in []netip.Prefix) bool {
	declared := false
	for _, c := range in {
		if c.Addr().Is4() != p.Addr().Is4() {
			continue
		}
		declared = true
		if c.Bits() <= p.Bits() && c.Contains(p.Addr()) {
			return true
		}
	}
	return !declared
}

// references are the schema's foreign keys Check verifies itself (a
// store written with foreign keys off, or restored by hand, can break
// them): child table, its column, its key column for messages, the type of
// object the key names, and the parent table and column. Allocations and
// nodes are checked with their other rules.
var references = []struct {
	child, col, key, keyType, parent, pcol, ptype string
}{
	{"zone_cidrs", "zone_id", "cidr", "zone_cidr", "zones", "id", "zone"},
	{"pods", "zone_id", "id", "pod", "zones", "id", "zone"},
	{"pod_cidrs", "pod_id", "cidr", "pod_cidr", "pods", "id", "pod"},
	{"tors", "pod_id", "id", "tor", "pods", "id", "pod"},
	{"subnets", "tor_id", "cidr", "subnet", "tors", "id", "tor"},
	{"reservations", "subnet", "cidr", "reservation", "subnets", "cidr", "subnet"},
}

// checkDangling reports rows naming a parent that does not exist: one
// pass over each child table, a primary-key lookup per row.
func (s *Store) checkDangling(ctx context.Context, r *CheckReport) error {
	for _, ref := range references {
		q := fmt.Sprintf(`SELECT c.%[3]s, c.%[2]s FROM %[1]s c
			WHERE c.%[2]s IS NOT NULL AND NOT EXISTS (SELECT 1 FROM %[4]s p WHERE p.%[5]s = c.%[2]s) ORDER BY c.rowid`,
			ref.child, ref.col, ref.key, ref.parent, ref.pcol)
		err := s.each(ctx, Q(q), func(scan func(...any) error) error {
			var key, parent string
			if err := scan(&key, &parent); err != nil {
				return err
			}
			r.Add(Problem{Kind: ProblemDangling,
				Message: fmt.Sprintf("%s %s (table %s) names %s %s, which does not exist", ref.keyType, key, ref.child,
					ref.ptype, parent),
				Objects: []Ref{{ref.keyType, key}, {ref.ptype, parent}}})
			return nil
		})
		if err != nil {
			return fmt.Errorf("references of %s.%s: %w", ref.child, ref.col, err)
		}
	}
	return nil
}
