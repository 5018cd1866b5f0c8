package store

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/netipam/netipam/topo"
)

// LoadTopology reads the declared topology (virtual TORs are left out), in
// the order it was created.
func (s *Store) LoadTopology(ctx context.Context) (*topo.Topology, error) {
	t := &topo.Topology{}
	zones := map[string]*topo.Zone{}
	var order []string
	err := s.each(ctx, Q(`SELECT id, name FROM zones ORDER BY rowid`), func(scan func(...any) error) error {
		var z topo.Zone
		if err := scan(&z.ID, &z.Name); err != nil {
			return err
		}
		zones[z.ID] = &z
		order = append(order, z.ID)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load zones: %w", err)
	}
	err = s.each(ctx, Q(`SELECT zone_id, cidr FROM zone_cidrs ORDER BY rowid`), func(scan func(...any) error) error {
		var id string
		var p netip.Prefix
		if err := scanPrefix(scan, &id, &p); err != nil {
			return err
		}
		zones[id].CIDRs = append(zones[id].CIDRs, p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load zone prefixes: %w", err)
	}
	pods, podZone, podOrder, err := s.loadPods(ctx)
	if err != nil {
		return nil, err
	}
	tors, torPod, torOrder, err := s.loadTORs(ctx)
	if err != nil {
		return nil, err
	}
	for _, id := range torOrder {
		if p := pods[torPod[id]]; p != nil {
			p.TORs = append(p.TORs, *tors[id])
		}
	}
	for _, id := range podOrder {
		if z := zones[podZone[id]]; z != nil {
			z.Pods = append(z.Pods, *pods[id])
		}
	}
	for _, id := range order {
		t.Zones = append(t.Zones, *zones[id])
	}
	if err := s.loadPools(ctx, t); err != nil {
		return nil, err
	}
	if t.Expansion, err = s.Expansion(ctx); err != nil {
		return nil, err
	}
	return t, nil
}

func (s *Store) loadPods(ctx context.Context) (map[string]*topo.Pod, map[string]string, []string, error) {
	pods := map[string]*topo.Pod{}
	zoneOf := map[string]string{}
	var order []string
	err := s.each(ctx, Q(`SELECT id, zone_id, name FROM pods ORDER BY rowid`), func(scan func(...any) error) error {
		var p topo.Pod
		var zone string
		if err := scan(&p.ID, &zone, &p.Name); err != nil {
			return err
		}
		pods[p.ID], zoneOf[p.ID] = &p, zone
		order = append(order, p.ID)
		return nil
	})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("load pods: %w", err)
	}
	err = s.each(ctx, Q(`SELECT pod_id, cidr FROM pod_cidrs ORDER BY rowid`), func(scan func(...any) error) error {
		var id string
		var p netip.Prefix
		if err := scanPrefix(scan, &id, &p); err != nil {
			return err
		}
		pods[id].CIDRs = append(pods[id].CIDRs, p)
		return nil
	})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("load pod prefixes: %w", err)
	}
	return pods, zoneOf, order, nil
}

func (s *Store) loadTORs(ctx context.Context) (map[string]*topo.TOR, map[string]string, []string, error) {
	tors := map[string]*topo.TOR{}
	podOf := map[string]string{}
	var order []string
	err := s.each(ctx, Q(`SELECT id, pod_id, name, location FROM tors WHERE virtual = 0 ORDER BY rowid`),
		func(scan func(...any) error) error {
			var t topo.TOR
			var pod string
			if err := scan(&t.ID, &pod, &t.Name, &t.Location); err != nil {
				return err
			}
			tors[t.ID], podOf[t.ID] = &t, pod
			order = append(order, t.ID)
			return nil
		})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("load tors: %w", err)
	}
	err = s.each(ctx, Q(`SELECT `+subnetCols+`, s.tor_id, s.source FROM subnets s ORDER BY s.tor_id, s.family, s.first_key`),
		func(scan func(...any) error) error {
			var tor, source string
			sn, err := scanSubnet(scan, &tor, &source)
			sn.Expanded = source == "expand"
			if t := tors[tor]; err == nil && t != nil {
				t.Subnets = append(t.Subnets, sn)
			}
			return err
		})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("load subnets: %w", err)
	}
	return tors, podOf, order, nil
}

func scanPrefix(scan func(...any) error, id *string, p *netip.Prefix) error {
	var cidr string
	if err := scan(id, &cidr); err != nil {
		return err
	}
	v, err := netip.ParsePrefix(cidr)
	if err != nil {
		return fmt.Errorf("stored prefix %q: %w", cidr, err)
	}
	*p = v
	return nil
}

// ApplyTopology makes the stored topology match t, a topology built in
// code, in one atomic batch: PlanTopology, then ApplyPlan.
func (s *Store) ApplyTopology(ctx context.Context, t *topo.Topology, prune bool, summary string) error {
	p, err := s.PlanTopology(ctx, topo.FileOf(t), prune)
	if err != nil {
		return fmt.Errorf("apply topology: %w", err)
	}
	return s.ApplyPlan(ctx, p, summary)
}

// ApplyPlan writes what a plan changes, and only that, in one atomic batch
// with an import event. A plan without changes writes nothing. The schema's
// constraints and triggers stay the backstop for whatever changed in the
// store since the plan was made.
func (s *Store) ApplyPlan(ctx context.Context, p *TopologyPlan, summary string) error {
	if len(p.Changes) == 0 {
		return nil
	}
	now := s.stamp()
	ix := indexTopology(p.Result)
	var b []Stmt
	for i, c := range p.Changes {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("apply topology: %w", err)
			}
		}
		if c.Kind == topo.KindExpansion {
			rows, err := expansionRows(p.Result.Expansion, now)
			if err != nil {
				return err
			}
			b = append(b, rows...)
			continue
		}
		b = append(b, changeRows(c, ix, now)...)
	}
	b = append(b, s.event(Event{Kind: "import", Detail: summary}))
	if _, err := s.db.Exec(ctx, b...); err != nil {
		return fmt.Errorf("apply topology: %w", err)
	}
	return nil
}

// changeRows gives the statements of one change; ix indexes the topology
// the change leads to.
func changeRows(c topo.Change, ix topologyIndex, now string) []Stmt {
	if b, ok := levelChangeRows(c, ix, now); ok {
		return b
	}
	if c.Op == topo.OpRemove {
		switch c.Kind {
		case topo.KindSubnet:
			return []Stmt{Q(`DELETE FROM subnets WHERE cidr = ?`, c.ID)}
		case topo.KindTOR:
			return []Stmt{Q(`DELETE FROM tors WHERE id = ? AND virtual = 0`, c.ID)}
		case topo.KindPod:
			return []Stmt{Q(`DELETE FROM pods WHERE id = ?`, c.ID)}
		default:
			return []Stmt{Q(`DELETE FROM zones WHERE id = ?`, c.ID)}
		}
	}
	switch c.Kind {
	case topo.KindZone:
		z := ix.zones[c.ID]
		return append([]Stmt{Q(`INSERT INTO zones (id, name, created_at) VALUES (?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name WHERE name <> excluded.name`, z.ID, z.Name, now)},
			prefixRows("zone_cidrs", "zone_id", z.ID, z.CIDRs)...)
	case topo.KindPod:
		p := ix.pods[c.ID]
		return append([]Stmt{Q(`INSERT INTO pods (id, zone_id, name, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET zone_id = excluded.zone_id, name = excluded.name
			WHERE zone_id <> excluded.zone_id OR name <> excluded.name`, p.ID, c.Parent, p.Name, now)},
			prefixRows("pod_cidrs", "pod_id", p.ID, p.CIDRs)...)
	case topo.KindTOR:
		r := ix.tors[c.ID]
		return []Stmt{Q(`INSERT INTO tors (id, pod_id, name, location, virtual, created_at) VALUES (?, ?, ?, ?, 0, ?)
			ON CONFLICT (id) DO UPDATE SET pod_id = excluded.pod_id, name = excluded.name,
			location = excluded.location, virtual = 0
			WHERE pod_id IS NOT excluded.pod_id OR name <> excluded.name OR location <> excluded.location OR virtual <> 0`,
			r.ID, c.Parent, r.Name, r.Location, now)}
	default:
		sn := ix.subnets[c.ID]
		source := "import"
		if sn.Subnet.Expanded {
			source = "expand" // an expanded block written by topo export stays expanded
		}
		return subnetRows(c.Parent, sn.Subnet, source, now, c.Op == topo.OpUpdate)
	}
}

// topologyIndex finds the entities of a topology by id (subnets by CIDR).
type topologyIndex struct {
	zones   map[string]*topo.Zone
	pods    map[string]*topo.Pod
	tors    map[string]*topo.TOR
	subnets map[string]topo.SubnetRef
	// strategies: purpose -> pinned level
	strategies map[topo.Purpose]topo.Level
}

func indexTopology(t *topo.Topology) topologyIndex {
	ix := topologyIndex{zones: map[string]*topo.Zone{}, pods: map[string]*topo.Pod{},
		tors: map[string]*topo.TOR{}, subnets: map[string]topo.SubnetRef{}}
	for i := range t.Zones {
		z := &t.Zones[i]
		ix.zones[z.ID] = z
		for j := range z.Pods {
			p := &z.Pods[j]
			ix.pods[p.ID] = p
			for k := range p.TORs {
				r := &p.TORs[k]
				ix.tors[r.ID] = r
				for _, sn := range r.Subnets {
					ix.subnets[sn.CIDR.String()] = topo.SubnetRef{Zone: z.ID, Pod: p.ID, TOR: r.ID, Subnet: sn}
				}
			}
		}
	}
	indexPools(&ix, t)
	return ix
}

// prefixRows replaces the prefixes of a zone or pod.
func prefixRows(table, col, id string, ps []netip.Prefix) []Stmt {
	keep := make([]any, 0, len(ps)+1)
	keep = append(keep, id)
	var b []Stmt
	for _, p := range ps {
		first, last := rangeKeys(p)
		keep = append(keep, p.String())
		b = append(b, Q(`INSERT OR IGNORE INTO `+table+` (`+col+`, cidr, family, first_key, last_key) VALUES (?, ?, ?, ?, ?)`,
			id, p.String(), family(p), first, last))
	}
	return append([]Stmt{Q(`DELETE FROM `+table+` WHERE `+col+` = ? AND cidr NOT IN (`+marks(len(ps))+`)`, keep...)}, b...)
}

// subnetRows creates (or, with upsert, updates) a subnet and its
// reservations.
func subnetRows(tor string, sn topo.Subnet, source, now string, upsert bool) []Stmt {
	first, last := rangeKeys(sn.CIDR)
	gw := ""
	if sn.Gateway.IsValid() {
		gw = sn.Gateway.String()
	}
	ins := `INSERT INTO subnets (cidr, family, purpose, tor_id, gateway, first_key, last_key, source, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
	if upsert {
		ins += ` ON CONFLICT (cidr) DO UPDATE SET tor_id = excluded.tor_id, purpose = excluded.purpose,
			gateway = excluded.gateway
			WHERE tor_id <> excluded.tor_id OR purpose <> excluded.purpose OR gateway <> excluded.gateway`
	}
	b := []Stmt{Q(ins, sn.CIDR.String(), family(sn.CIDR), sn.Purpose, tor, gw, first, last, source, now)}
	keep := []any{sn.CIDR.String()}
	for _, x := range sn.Exclude {
		xf, xl := rangeKeys(x)
		keep = append(keep, x.String())
		b = append(b, Q(`INSERT OR IGNORE INTO reservations (subnet, cidr, first_key, last_key) VALUES (?, ?, ?, ?)`,
			sn.CIDR.String(), x.String(), xf, xl))
	}
	if upsert {
		b = append(b, Q(`DELETE FROM reservations WHERE subnet = ? AND cidr NOT IN (`+marks(len(sn.Exclude))+`)`, keep...))
	}
	return b
}

// marks gives n comma-separated placeholders for an IN list. With n = 0 it
// gives an empty subquery, so that "x NOT IN (...)" is true for every row.
func marks(n int) string {
	if n == 0 {
		return "SELECT NULL WHERE 0"
	}
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}
