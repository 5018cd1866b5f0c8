package store

import (
	"context"
	"fmt"
	"strings"
)

// allocationCheck reads, in one pass over allocations with a lookup by
// primary key or index per row (subnet, node, TOR, reservations, the
// address's latest ledger event), the allocations that break a rule, with
// what each rule needs to say why. LIMIT -1 keeps SQLite from flattening
// the inner query into the outer one, which would evaluate each lookup
// twice (once for the WHERE, once for the columns). An allocation older than the cutoff of
// an archive of the ledger (netipam events archive) may have no event left.
const allocationCheck = `SELECT address, subnet, node_id, tor_id, purpose, family, container,
	no_subnet, s_tor, s_pool, s_purpose, s_family, outside, network, broadcast, gateway, excluded,
	no_node, n_tor, no_tor, ev_id, ev_kind, ev_node,
	allocated_at < (SELECT COALESCE(MAX(before), '') FROM event_archives) AS archived
FROM (SELECT a.allocated_at, a.address, a.subnet, a.node_id, a.tor_id, a.purpose, a.family, COALESCE(a.container, '') AS container,
	s.cidr IS NULL AS no_subnet, COALESCE(s.tor_id, '') AS s_tor,
	COALESCE(s.tor_id IN ('pod:' || (SELECT t.pod_id FROM tors t WHERE t.id = a.tor_id),
		'zone:' || (SELECT p.zone_id FROM tors t JOIN pods p ON p.id = t.pod_id WHERE t.id = a.tor_id)), 0) AS s_pool,
	COALESCE(s.purpose, '') AS s_purpose,
	COALESCE(s.family, 0) AS s_family,
	COALESCE(a.addr_key < s.first_key OR a.addr_key > s.last_key, 0) AS outside,
	COALESCE(a.addr_key = s.first_key, 0) AS network,
	COALESCE(s.family = 4 AND a.addr_key = s.last_key, 0) AS broadcast,
	COALESCE(s.gateway <> '' AND a.address = s.gateway, 0) AS gateway,
	EXISTS (SELECT 1 FROM reservations r
		WHERE r.subnet = a.subnet AND a.addr_key BETWEEN r.first_key AND r.last_key) AS excluded,
	n.id IS NULL AS no_node, COALESCE(n.tor_id, '') AS n_tor,
	NOT EXISTS (SELECT 1 FROM tors t WHERE t.id = a.tor_id) AS no_tor,
	COALESCE(e.id, 0) AS ev_id, COALESCE(e.kind, '') AS ev_kind, COALESCE(e.node_id, '') AS ev_node
	FROM allocations a
	LEFT JOIN subnets s ON s.cidr = a.subnet
	LEFT JOIN nodes n ON n.id = a.node_id
	LEFT JOIN events e ON e.id = (SELECT MAX(x.id) FROM events x
		WHERE x.address = a.address AND x.kind IN ('allocate', 'release', 'gc'))
	LIMIT -1)
WHERE no_subnet OR outside OR network OR broadcast OR gateway OR excluded
	OR (NOT no_subnet AND ((s_tor <> tor_id AND NOT s_pool) OR s_purpose <> purpose OR s_family <> family))
	OR no_node OR (NOT no_node AND n_tor <> tor_id) OR no_tor
	OR (ev_kind = '' AND allocated_at >= (SELECT COALESCE(MAX(before), '') FROM event_archives))
	OR (ev_kind <> '' AND (ev_kind <> 'allocate' OR ev_node <> node_id))
ORDER BY subnet, address`

// checkAllocations reports allocations outside their subnet, on its
// network, broadcast, gateway or an excluded address, disagreeing with
// their subnet (TOR, purpose, family) or node (TOR), naming rows that do
// not exist, or whose ledger does not say they are held.
func (s *Store) checkAllocations(ctx context.Context, r *CheckReport) error {
	err := s.each(ctx, Q(allocationCheck), func(scan func(...any) error) error {
		var addr, subnet, node, tor, purpose, container, sTOR, sPurpose, nTOR, evKind, evNode string
		var fam, noSubnet, sPool, sFam, outside, network, broadcast, gateway, excluded, noNode, noTOR, evID, archived int64
		if err := scan(&addr, &subnet, &node, &tor, &purpose, &fam, &container, &noSubnet, &sTOR, &sPool, &sPurpose, &sFam,
			&outside, &network, &broadcast, &gateway, &excluded, &noNode, &nTOR, &noTOR, &evID, &evKind, &evNode, &archived); err != nil {
			return err
		}
		who := fmt.Sprintf("allocation %s (node %s, container %q)", addr, node, container)
		objs := func(more ...Ref) []Ref {
			return append([]Ref{{"allocation", addr}}, more...)
		}
		add := func(kind string, refs []Ref, format string, args ...any) {
			r.Add(Problem{Kind: kind, Message: who + " " + fmt.Sprintf(format, args...), Objects: refs})
		}
		if noSubnet == 1 {
			add(ProblemDangling, objs(Ref{"subnet", subnet}), "names subnet %s, which does not exist", subnet)
		}
		spots := []struct {
			on   int64
			kind string
			what string
		}{
			{outside, ProblemOutsideSubnet, "is outside its subnet %s"},
			{network, ProblemNetworkAddress, "is the network address of its subnet %s"},
			{broadcast, ProblemBroadcastAddress, "is the broadcast address of its subnet %s"},
			{gateway, ProblemGateway, "is the gateway of its subnet %s"},
			{excluded, ProblemExcluded, "is an excluded address of its subnet %s"},
		}
		for _, sp := range spots {
			if sp.on == 1 {
				add(sp.kind, objs(Ref{"subnet", subnet}), sp.what, subnet)
			}
		}
		if noSubnet == 0 {
			var diffs []string
			if sTOR != tor && sPool == 0 { // a pod's or zone's pool serves the TORs below it
				diffs = append(diffs, fmt.Sprintf("TOR %s, the subnet's %s", tor, sTOR))
			}
			if sPurpose != purpose {
				diffs = append(diffs, fmt.Sprintf("purpose %s, the subnet's %s", purpose, sPurpose))
			}
			if sFam != fam {
				diffs = append(diffs, fmt.Sprintf("family IPv%d, the subnet's IPv%d", fam, sFam))
			}
			if len(diffs) > 0 {
				add(ProblemSubnetMismatch, objs(Ref{"subnet", subnet}, Ref{"tor", tor}, Ref{"tor", sTOR}),
					"disagrees with its subnet %s: %s", subnet, strings.Join(diffs, "; "))
			}
		}
		switch {
		case noNode == 1:
			add(ProblemDangling, objs(Ref{"node", node}), "names node %s, which does not exist", node)
		case nTOR != tor:
			add(ProblemNodeOnOtherTOR, objs(Ref{"node", node}, Ref{"tor", tor}, Ref{"tor", nTOR}),
				"is on TOR %s but its node %s sits on TOR %s", tor, node, nTOR)
		}
		if noTOR == 1 {
			add(ProblemDangling, objs(Ref{"tor", tor}), "names TOR %s, which does not exist", tor)
		}
		event := Ref{"event", fmt.Sprint(evID)}
		switch {
		case evID == 0 && archived == 1: // its event went to an archive file
		case evID == 0:
			add(ProblemNoEvent, objs(), "has no allocate event in the ledger")
		case evKind != "allocate":
			add(ProblemNoEvent, objs(event), "is held, but the ledger's latest event for it (%d) is a %s",
				evID, evKind)
		case evNode != node:
			add(ProblemNoEvent, objs(event, Ref{"node", evNode}),
				"is held by node %s, but the ledger's latest event for it (%d) allocated it to node %s", node, evID, evNode)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("allocations: %w", err)
	}
	return nil
}

// checkEvents reports addresses whose latest ledger event allocates them
// while no allocation of that node holds them: an event without its
// change. One pass over the ledger's address index.
func (s *Store) checkEvents(ctx context.Context, r *CheckReport) error {
	err := s.each(ctx, Q(`SELECT e.id, e.address, e.node_id, e.container, e.subnet
		FROM (SELECT MAX(id) AS id FROM events WHERE address <> '' AND kind IN ('allocate', 'release', 'gc')
			GROUP BY address) l
		JOIN events e ON e.id = l.id
		WHERE e.kind = 'allocate'
		  AND NOT EXISTS (SELECT 1 FROM allocations a WHERE a.address = e.address AND a.node_id = e.node_id)
		ORDER BY e.id`), func(scan func(...any) error) error {
		var id int64
		var addr, node, container, subnet string
		if err := scan(&id, &addr, &node, &container, &subnet); err != nil {
			return err
		}
		r.Add(Problem{Kind: ProblemEventNoChange,
			Message: fmt.Sprintf("event %d allocates %s to node %s (container %q), the address's latest event, but node %s holds no such allocation",
				id, addr, node, container, node),
			Objects: []Ref{{"event", fmt.Sprint(id)}, {"allocation", addr}, {"node", node}, {"subnet", subnet}}})
		return nil
	})
	if err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	return nil
}
