package store

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/netipam/netipam/topo"
)

// routeQueries select the subnets below a level: a TOR's own (the
// subnets_tor index); a pod's TORs' and its own pool's; a zone's pods'
// TORs', its pods' pools' and its own pool's.
var routeQueries = map[topo.Level]string{
	topo.LevelTOR: `SELECT cidr FROM subnets WHERE tor_id = ?`,
	topo.LevelPod: `SELECT s.cidr FROM tors t JOIN subnets s ON s.tor_id = t.id
		WHERE t.pod_id = ? AND t.level IN ('tor', 'pod')`,
	topo.LevelZone: `SELECT s.cidr FROM tors t JOIN subnets s ON s.tor_id = t.id
		WHERE t.pod_id IN (SELECT id FROM pods WHERE zone_id = ?) AND t.level IN ('tor', 'pod')
		   OR t.zone_id = ? AND t.level = 'zone'`,
}

// existsQueries find a declared TOR (or a virtual one), pod or zone.
var existsQueries = map[topo.Level]string{
	topo.LevelTOR:  `SELECT COUNT(*) FROM tors WHERE id = ? AND level = 'tor'`,
	topo.LevelPod:  `SELECT COUNT(*) FROM pods WHERE id = ?`,
	topo.LevelZone: `SELECT COUNT(*) FROM zones WHERE id = ?`,
}

// Routes gives the fewest prefixes covering every subnet below a TOR, pod
// or zone (topo.Aggregate: IPv4 first, each family in address order). An
// unknown id is topo.ErrNotFound, naming it; a known one with no subnet
// gives none.
func (s *Store) Routes(ctx context.Context, level topo.Level, id string) ([]netip.Prefix, error) {
	q, ok := routeQueries[level]
	if !ok {
		return nil, topo.Errorf(topo.ErrInvalid, "routes of %s %s: unknown level: use tor, pod or zone", level, id)
	}
	args := []any{id}
	if level == topo.LevelZone {
		args = append(args, id)
	}
	var ps []netip.Prefix
	err := s.each(ctx, Q(q, args...), func(scan func(...any) error) error {
		var c string
		if err := scan(&c); err != nil {
			return err
		}
		p, err := netip.ParsePrefix(c)
		if err != nil {
			return fmt.Errorf("stored subnet %q: %w", c, err)
		}
		ps = append(ps, p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("routes of %s %s: %w", level, id, err)
	}
	if len(ps) == 0 {
		var n int64
		if err := s.one(ctx, Q(existsQueries[level], id), &n); err != nil {
			return nil, fmt.Errorf("look up %s %s: %w", level, id, err)
		}
		if n == 0 {
			return nil, topo.Errorf(topo.ErrNotFound, "%s %s is unknown: list the topology with `netipam topo show`", level, id)
		}
	}
	return topo.Aggregate(ps)
}
