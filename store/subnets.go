package store

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/netipam/netipam/topo"
)

// subnetCols are the columns scanSubnet reads, from subnets aliased s.
const subnetCols = `s.cidr, s.purpose, s.gateway,
	COALESCE((SELECT group_concat(r.cidr, ' ') FROM reservations r WHERE r.subnet = s.cidr), '')`

// scanSubnet scans subnetCols into a subnet, and the columns after them
// into extra.
func scanSubnet(scan func(...any) error, extra ...any) (topo.Subnet, error) {
	var sn topo.Subnet
	var cidr, gw, excl string
	if err := scan(append([]any{&cidr, &sn.Purpose, &gw, &excl}, extra...)...); err != nil {
		return sn, err
	}
	var err error
	if sn.CIDR, err = netip.ParsePrefix(cidr); err != nil {
		return sn, fmt.Errorf("stored subnet %q: %w", cidr, err)
	}
	if gw != "" {
		if sn.Gateway, err = netip.ParseAddr(gw); err != nil {
			return sn, fmt.Errorf("stored gateway %q of %s: %w", gw, cidr, err)
		}
	}
	for _, f := range strings.Fields(excl) {
		x, err := netip.ParsePrefix(f)
		if err != nil {
			return sn, fmt.Errorf("stored reservation %q of %s: %w", f, cidr, err)
		}
		sn.Exclude = append(sn.Exclude, x)
	}
	return sn, nil
}

// Subnets lists subnets with their location and usage, ordered by TOR and
// address.
func (s *Store) Subnets(ctx context.Context, f topo.SubnetFilter) ([]topo.SubnetRow, error) {
	where, args := "1 = 1", []any{}
	if f.TOR != nil {
		where, args = where+" AND s.tor_id = ?", append(args, *f.TOR)
	}
	if f.ForTOR != nil {
		where, args = where+" AND "+forTOR("t"), append(args, *f.ForTOR, *f.ForTOR, *f.ForTOR)
	}
	if f.Purpose != nil {
		where, args = where+" AND s.purpose = ?", append(args, *f.Purpose)
	}
	if f.CIDR != nil {
		where, args = where+" AND s.cidr = ?", append(args, f.CIDR.Masked().String())
	}
	q := `SELECT ` + subnetCols + `, CASE t.level WHEN 'tor' THEN s.tor_id ELSE '' END, t.level,
			COALESCE(p.id, ''), COALESCE(p.zone_id, t.zone_id, ''), s.source,
			COALESCE((SELECT c.used FROM subnet_counts c WHERE c.subnet = s.cidr), 0)
		FROM subnets s JOIN tors t ON t.id = s.tor_id LEFT JOIN pods p ON p.id = t.pod_id
		WHERE ` + where + ` ORDER BY s.tor_id, s.family, s.first_key`
	var out []topo.SubnetRow
	err := s.each(ctx, Q(q, args...), func(scan func(...any) error) error {
		var r topo.SubnetRow
		var err error
		var level string
		r.Subnet, err = scanSubnet(scan, &r.TOR, &level, &r.Pod, &r.Zone, &r.Source, &r.Used)
		r.Level, r.Subnet.Level = topo.Level(level), topo.Level(level)
		out = append(out, r)
		return err
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
	b = append(b, s.event(Event{Kind: eventKind(source), Subnet: sn.CIDR.String(), TOR: tor, Purpose: sn.Purpose,
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

// TORSubnets lists a TOR's subnets: the allocation path's query, without
// the usage counts Subnets computes.
func (s *Store) TORSubnets(ctx context.Context, tor string) ([]topo.Subnet, error) {
	var out []topo.Subnet
	err := s.each(ctx, Q(`SELECT `+subnetCols+` FROM subnets s WHERE s.tor_id = ? ORDER BY s.family, s.first_key`, tor),
		func(scan func(...any) error) error {
			sn, err := scanSubnet(scan)
			out = append(out, sn)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("list subnets of %s: %w", tor, err)
	}
	return out, nil
}
