package store

import (
	"context"
	"fmt"

	"github.com/netipam/netipam/topo"
)

// A pod's or zone's own subnets belong to a pool-owner row of tors
// (migrations/0007_levels.sql): virtual, level 'pod' or 'zone', with the
// id PoolOwner gives.

// PoolOwner is the tors id that owns the subnets of a pod's or a zone's
// own pool: "pod:<id>" or "zone:<id>". ':' is never part of a declared id.
func PoolOwner(level topo.Level, id string) string {
	return string(level) + ":" + id
}

// poolOwnerRow creates the pool-owner row of a pod or zone if missing.
func poolOwnerRow(level topo.Level, id, now string) Stmt {
	var pod, zone any
	if level == topo.LevelPod {
		pod = id
	} else {
		zone = id
	}
	return Q(`INSERT OR IGNORE INTO tors (id, pod_id, zone_id, name, virtual, level, created_at) VALUES (?, ?, ?, ?, 1, ?, ?)`,
		PoolOwner(level, id), pod, zone, "pool of "+string(level)+" "+id, string(level), now)
}

// levelChangeRows gives the statements of the changes the levels add:
// pool subnets, strategies, and the pool-owner row that goes with a
// removed pod or zone. ok is false for every other change.
func levelChangeRows(c topo.Change, ix topologyIndex, now string) (_ []Stmt, ok bool) {
	switch {
	case c.Kind == topo.KindStrategy && c.Op == topo.OpRemove:
		return []Stmt{Q(`DELETE FROM strategies WHERE purpose = ?`, c.ID)}, true
	case c.Kind == topo.KindStrategy:
		return []Stmt{Q(`INSERT INTO strategies (purpose, level) VALUES (?, ?)
			ON CONFLICT (purpose) DO UPDATE SET level = excluded.level WHERE level <> excluded.level`,
			c.ID, string(ix.strategies[c.ID]))}, true
	case c.Op == topo.OpRemove && c.Kind == topo.KindPod:
		return []Stmt{Q(`DELETE FROM tors WHERE id = ?`, PoolOwner(topo.LevelPod, c.ID)),
			Q(`DELETE FROM pods WHERE id = ?`, c.ID)}, true
	case c.Op == topo.OpRemove && c.Kind == topo.KindZone:
		return []Stmt{Q(`DELETE FROM tors WHERE id = ?`, PoolOwner(topo.LevelZone, c.ID)),
			Q(`DELETE FROM zones WHERE id = ?`, c.ID)}, true
	case c.Op != topo.OpRemove && c.Kind == topo.KindSubnet && c.Level.Rank() > 0:
		sn := ix.subnets[c.ID]
		return append([]Stmt{poolOwnerRow(c.Level, c.Parent, now)},
			subnetRows(PoolOwner(c.Level, c.Parent), sn.Subnet, "import", now, c.Op == topo.OpUpdate)...), true
	}
	return nil, false
}

// indexPools adds to ix the pool subnets and strategies of t.
func indexPools(ix *topologyIndex, t *topo.Topology) {
	ix.strategies = t.Strategies
	for _, r := range t.PoolSubnets() {
		ix.subnets[r.Subnet.CIDR.String()] = topo.SubnetRef{Zone: r.Zone, Pod: r.Pod, Level: r.Level, Subnet: r.Subnet}
	}
}

// loadPools reads the pods' and zones' own subnets and the strategies
// into t (LoadTopology).
func (s *Store) loadPools(ctx context.Context, t *topo.Topology) error {
	zones, pods := map[string]*topo.Zone{}, map[string]*topo.Pod{}
	for i := range t.Zones {
		z := &t.Zones[i]
		zones[z.ID] = z
		for j := range z.Pods {
			pods[z.Pods[j].ID] = &z.Pods[j]
		}
	}
	err := s.each(ctx, Q(`SELECT `+subnetCols+`, o.level, COALESCE(o.pod_id, ''), COALESCE(o.zone_id, '')
		FROM tors o JOIN subnets s ON s.tor_id = o.id WHERE o.level <> 'tor'
		ORDER BY o.rowid, s.family, s.first_key`),
		func(scan func(...any) error) error {
			var level, pod, zone string
			sn, err := scanSubnet(scan, &level, &pod, &zone)
			if err != nil {
				return err
			}
			if p := pods[pod]; p != nil && level == string(topo.LevelPod) {
				p.Subnets = append(p.Subnets, sn)
			} else if z := zones[zone]; z != nil && level == string(topo.LevelZone) {
				z.Subnets = append(z.Subnets, sn)
			}
			return nil
		})
	if err != nil {
		return fmt.Errorf("load pod and zone subnets: %w", err)
	}
	err = s.each(ctx, Q(`SELECT purpose, level FROM strategies ORDER BY purpose`), func(scan func(...any) error) error {
		var p, l string
		if err := scan(&p, &l); err != nil {
			return err
		}
		if t.Strategies == nil {
			t.Strategies = map[topo.Purpose]topo.Level{}
		}
		t.Strategies[p] = topo.Level(l)
		return nil
	})
	if err != nil {
		return fmt.Errorf("load strategies: %w", err)
	}
	return nil
}

// forTOR is the condition on subnets s (their owner row aliased owner)
// that selects what a node of a TOR may take addresses from: the TOR's
// subnets, its pod's and its zone's own, as the strategies allow. It takes
// the TOR's id three times.
func forTOR(owner string) string {
	return `s.tor_id IN (?,
			(SELECT 'pod:' || ft.pod_id FROM tors ft WHERE ft.id = ? AND ft.level = 'tor'),
			(SELECT 'zone:' || fp.zone_id FROM tors ft JOIN pods fp ON fp.id = ft.pod_id WHERE ft.id = ? AND ft.level = 'tor'))
		  AND NOT EXISTS (SELECT 1 FROM strategies st WHERE st.purpose = s.purpose AND st.level <> ` + owner + `.level)`
}

// levelRank orders subnets o (the owner row) for allocation: TOR, pod,
// zone.
const levelRank = `CASE o.level WHEN 'tor' THEN 0 WHEN 'pod' THEN 1 ELSE 2 END`

// NodeSubnets lists the subnets a node of a TOR may take addresses from,
// nearest level first: the TOR's, its pod's own, its zone's own, each
// purpose limited to the level its strategy pins. Every subnet carries its
// Level. One query, answered from the subnets_tor index.
func (s *Store) NodeSubnets(ctx context.Context, tor string) ([]topo.Subnet, error) {
	var out []topo.Subnet
	q := `SELECT ` + subnetCols + `, o.level FROM subnets s JOIN tors o ON o.id = s.tor_id
		WHERE ` + forTOR("o") + `
		ORDER BY ` + levelRank + `, s.family, s.first_key`
	err := s.each(ctx, Q(q, tor, tor, tor), func(scan func(...any) error) error {
		var level string
		sn, err := scanSubnet(scan, &level)
		sn.Level = topo.Level(level)
		out = append(out, sn)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list subnets of %s and its pod and zone: %w", tor, err)
	}
	return out, nil
}
