package store

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/netipam/netipam/topo"
)

// SubnetRow is a stored subnet with where it sits.
type SubnetRow struct {
	topo.Subnet
	TOR    string
	Pod    string // empty for a virtual TOR
	Zone   string
	Source string // import, cli or expand
	Used   int64  // addresses allocated
}

// SubnetFilter selects subnets; nil fields match everything.
type SubnetFilter struct {
	TOR     *string
	Purpose *string
	CIDR    *netip.Prefix
}

// Subnets lists subnets with their location and usage, ordered by TOR and
// address.
func (s *Store) Subnets(ctx context.Context, f SubnetFilter) ([]SubnetRow, error) {
	where, args := "1 = 1", []any{}
	if f.TOR != nil {
		where, args = where+" AND s.tor_id = ?", append(args, *f.TOR)
	}
	if f.Purpose != nil {
		where, args = where+" AND s.purpose = ?", append(args, *f.Purpose)
	}
	if f.CIDR != nil {
		where, args = where+" AND s.cidr = ?", append(args, f.CIDR.Masked().String())
	}
	q := `SELECT s.cidr, s.purpose, s.gateway, s.tor_id, COALESCE(p.id, ''), COALESCE(p.zone_id, ''), s.source,
			(SELECT COUNT(*) FROM allocations a WHERE a.subnet = s.cidr),
			COALESCE((SELECT group_concat(r.cidr, ' ') FROM reservations r WHERE r.subnet = s.cidr), '')
		FROM subnets s JOIN tors t ON t.id = s.tor_id LEFT JOIN pods p ON p.id = t.pod_id
		WHERE ` + where + ` ORDER BY s.tor_id, s.family, s.first_key`
	var out []SubnetRow
	err := s.each(ctx, Q(q, args...), func(scan func(...any) error) error {
		var r SubnetRow
		var cidr, gw, excl string
		if err := scan(&cidr, &r.Purpose, &gw, &r.TOR, &r.Pod, &r.Zone, &r.Source, &r.Used, &excl); err != nil {
			return err
		}
		var err error
		if r.CIDR, err = netip.ParsePrefix(cidr); err != nil {
			return fmt.Errorf("stored subnet %q: %w", cidr, err)
		}
		if gw != "" {
			if r.Gateway, err = netip.ParseAddr(gw); err != nil {
				return fmt.Errorf("stored gateway %q of %s: %w", gw, cidr, err)
			}
		}
		if r.Exclude, err = parsePrefixList(excl); err != nil {
			return fmt.Errorf("stored reservations of %s: %w", cidr, err)
		}
		out = append(out, r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list subnets: %w", err)
	}
	return out, nil
}

// AddSubnet gives a TOR one more subnet, in one atomic batch with its
// reservations and an event. The schema refuses an overlap with any stored
// subnet and a subnet outside the TOR's pod.
func (s *Store) AddSubnet(ctx context.Context, tor string, sn topo.Subnet, source string) error {
	now := s.stamp()
	b := subnetRows(tor, sn, source, now, false)
	b = append(b, s.event(eventKind(source), event{Subnet: sn.CIDR.String(), TOR: tor, Purpose: sn.Purpose,
		Detail: "add subnet"}))
	if _, err := s.db.Exec(ctx, b...); err != nil {
		return fmt.Errorf("add subnet %s to %s: %w", sn.CIDR, tor, err)
	}
	return nil
}

func eventKind(source string) string {
	if source == "expand" {
		return "expand"
	}
	return "subnet"
}

func parsePrefixList(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range splitFields(s) {
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// TORSubnets lists a TOR's subnets: the allocation path's query, without
// the usage counts Subnets computes.
func (s *Store) TORSubnets(ctx context.Context, tor string) ([]topo.Subnet, error) {
	var out []topo.Subnet
	err := s.each(ctx, Q(`SELECT s.cidr, s.purpose, s.gateway,
			COALESCE((SELECT group_concat(r.cidr, ' ') FROM reservations r WHERE r.subnet = s.cidr), '')
		FROM subnets s WHERE s.tor_id = ? ORDER BY s.family, s.first_key`, tor),
		func(scan func(...any) error) error {
			var sn topo.Subnet
			var cidr, gw, excl string
			if err := scan(&cidr, &sn.Purpose, &gw, &excl); err != nil {
				return err
			}
			var err error
			if sn.CIDR, err = netip.ParsePrefix(cidr); err != nil {
				return fmt.Errorf("stored subnet %q: %w", cidr, err)
			}
			if gw != "" {
				if sn.Gateway, err = netip.ParseAddr(gw); err != nil {
					return fmt.Errorf("stored gateway %q of %s: %w", gw, cidr, err)
				}
			}
			if sn.Exclude, err = parsePrefixList(excl); err != nil {
				return fmt.Errorf("stored reservations of %s: %w", cidr, err)
			}
			out = append(out, sn)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("list subnets of %s: %w", tor, err)
	}
	return out, nil
}
