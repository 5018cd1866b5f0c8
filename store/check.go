package store

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
)

// Problem is one broken invariant found by Check, with the objects it
// involves.
type Problem struct {
	// Kind names the invariant (a stable identifier, see the Problem*
	// constants).
	Kind string `json:"kind"`
	// Message says what is wrong in words.
	Message string `json:"message"`
	// Objects are the rows involved, most specific first.
	Objects []Ref `json:"objects"`
}

// Ref names one stored object: its type (allocation, subnet, node, tor,
// pod, zone, event, reservation, setting) and its key.
type Ref struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// The kinds of problem Check reports.
const (
	ProblemOutsideSubnet    = "allocation-outside-subnet"
	ProblemNetworkAddress   = "allocation-on-network-address"
	ProblemBroadcastAddress = "allocation-on-broadcast-address"
	ProblemGateway          = "allocation-on-gateway"
	ProblemExcluded         = "allocation-on-excluded-address"
	ProblemSubnetMismatch   = "allocation-subnet-mismatch"
	ProblemNodeOnOtherTOR   = "allocation-node-on-other-tor"
	ProblemDuplicate        = "duplicate-address"
	ProblemSubnetOverlap    = "subnet-overlap"
	ProblemOutsidePod       = "subnet-outside-pod"
	ProblemSubnetUnusable   = "subnet-unusable"
	ProblemNodeUnknownTOR   = "node-unknown-tor"
	ProblemDangling         = "dangling-reference"
	ProblemNoEvent          = "allocation-without-event"
	ProblemEventNoChange    = "event-without-change"
	ProblemThresholdNoRoom  = "threshold-no-room"
	ProblemBadSetting       = "bad-setting"
)

// CheckCounts are the rows Check looked at.
type CheckCounts struct {
	Zones       int64 `json:"zones"`
	Pods        int64 `json:"pods"`
	TORs        int64 `json:"tors"`
	Subnets     int64 `json:"subnets"`
	Nodes       int64 `json:"nodes"`
	Allocations int64 `json:"allocations"`
	Events      int64 `json:"events"`
}

// CheckReport is what Check found: the counts of what it read and every
// problem (empty on a sound store).
type CheckReport struct {
	Counts   CheckCounts `json:"counts"`
	Problems []Problem   `json:"problems"`
}

// Add appends problems to the report.
func (r *CheckReport) Add(ps ...Problem) { r.Problems = append(r.Problems, ps...) }

// Check verifies the invariants of the stored data that the schema
// enforces on the way in (and that a hand edit, a restored file or a bug
// could break): allocations against their subnets, nodes and ledger,
// subnets against each other and their pods, every reference. It only
// reads, so it runs on a read-only store and on rqlite. Every query uses
// an index or reads its table once; only the offending rows come back.
// The expansion threshold, a rule of package alloc, is checked by the
// caller over Subnets and PodCIDRs.
func (s *Store) Check(ctx context.Context) (CheckReport, error) {
	var r CheckReport
	if err := s.checkCounts(ctx, &r.Counts); err != nil {
		return r, err
	}
	for _, step := range []func(context.Context, *CheckReport) error{
		s.checkAllocations, s.checkDuplicates, s.checkSubnets, s.checkNodeTORs, s.checkDangling, s.checkEvents,
		s.checkSubnetCounts, s.checkSettings,
	} {
		if err := ctx.Err(); err != nil {
			return r, fmt.Errorf("check: %w", err)
		}
		if err := step(ctx, &r); err != nil {
			return r, fmt.Errorf("check: %w", err)
		}
	}
	return r, nil
}

func (s *Store) checkCounts(ctx context.Context, c *CheckCounts) error {
	err := s.one(ctx, Q(`SELECT (SELECT COUNT(*) FROM zones), (SELECT COUNT(*) FROM pods),
		(SELECT COUNT(*) FROM tors WHERE level = 'tor'), (SELECT COUNT(*) FROM subnets), (SELECT COUNT(*) FROM nodes),
		(SELECT COUNT(*) FROM allocations), (SELECT COUNT(*) FROM events)`),
		&c.Zones, &c.Pods, &c.TORs, &c.Subnets, &c.Nodes, &c.Allocations, &c.Events)
	if err != nil {
		return fmt.Errorf("check: count rows: %w", err)
	}
	return nil
}

// checkDuplicates finds addresses held twice (only possible when the
// unique index is gone): a pass over the address index, then the rows of
// each duplicate.
func (s *Store) checkDuplicates(ctx context.Context, r *CheckReport) error {
	var dups []string
	err := s.each(ctx, Q(`SELECT address FROM allocations GROUP BY address HAVING COUNT(*) > 1`),
		func(scan func(...any) error) error {
			var a string
			dups = append(dups, a)
			return scan(&dups[len(dups)-1])
		})
	if err != nil {
		return fmt.Errorf("duplicate addresses: %w", err)
	}
	for _, addr := range dups {
		p := Problem{Kind: ProblemDuplicate, Objects: []Ref{{"allocation", addr}}}
		var holders []string
		err := s.each(ctx, Q(`SELECT node_id, COALESCE(container, ''), subnet FROM allocations WHERE address = ?
			ORDER BY rowid`, addr), func(scan func(...any) error) error {
			var node, container, subnet string
			if err := scan(&node, &container, &subnet); err != nil {
				return err
			}
			holders = append(holders, fmt.Sprintf("node %s container %q", node, container))
			p.Objects = append(p.Objects, Ref{"node", node}, Ref{"subnet", subnet})
			return nil
		})
		if err != nil {
			return fmt.Errorf("duplicate address %s: %w", addr, err)
		}
		p.Message = fmt.Sprintf("%s is allocated %d times: %s", addr, len(holders), strings.Join(holders, ", "))
		r.Add(p)
	}
	return nil
}

// checkNodeTORs finds nodes registered on a TOR that does not exist.
func (s *Store) checkNodeTORs(ctx context.Context, r *CheckReport) error {
	err := s.each(ctx, Q(`SELECT n.id, n.tor_id FROM nodes n WHERE NOT EXISTS (SELECT 1 FROM tors t WHERE t.id = n.tor_id)
		ORDER BY n.id`), func(scan func(...any) error) error {
		var node, tor string
		if err := scan(&node, &tor); err != nil {
			return err
		}
		r.Add(Problem{Kind: ProblemNodeUnknownTOR, Message: fmt.Sprintf("node %s is on TOR %s, which does not exist", node, tor),
			Objects: []Ref{{"node", node}, {"tor", tor}}})
		return nil
	})
	if err != nil {
		return fmt.Errorf("nodes on unknown TORs: %w", err)
	}
	return nil
}

// PodCIDRs gives every pod's prefixes.
func (s *Store) PodCIDRs(ctx context.Context) (map[string][]netip.Prefix, error) {
	out := map[string][]netip.Prefix{}
	err := s.each(ctx, Q(`SELECT pod_id, cidr FROM pod_cidrs ORDER BY pod_id, first_key`), func(scan func(...any) error) error {
		var id string
		var p netip.Prefix
		if err := scanPrefix(scan, &id, &p); err != nil {
			return err
		}
		out[id] = append(out[id], p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read pod prefixes: %w", err)
	}
	return out, nil
}
