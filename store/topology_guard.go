package store

import (
	"context"
	"fmt"
	"net/netip"
	"slices"

	"go4.org/netipx"

	"github.com/netipam/netipam/topo"
)

// holders sums up who holds addresses somewhere: how many, and one of them
// as an example.
type holders struct {
	n                     int64
	addr, node, container string
}

// example names one holder: "10.244.5.7, node-03" (and the container when
// there is one).
func (h holders) example() string {
	if h.container != "" {
		return fmt.Sprintf("%s, %s, container %s", h.addr, h.node, topo.Quote(h.container))
	}
	return h.addr + ", " + h.node
}

func (h holders) count() string {
	if h.n == 1 {
		return "1 allocation"
	}
	return fmt.Sprintf("%d allocations", h.n)
}

// conflict is one problem of a plan with what the store holds.
func conflict(format string, args ...any) *topo.Error {
	return &topo.Error{Msg: fmt.Sprintf(format, args...), Kind: topo.ErrConflict}
}

// checkPlan checks a plan against what the store holds beyond the
// topology: allocations, nodes, and the subnets of virtual TORs. Each
// check is one query per 500 objects, never one per stored row.
func (s *Store) checkPlan(ctx context.Context, current *topo.Topology, p *TopologyPlan) error {
	cur, res := indexTopology(current), indexTopology(p.Result)
	var errs topo.Errors
	var used []string          // subnets that must not hold allocations
	why := map[string]string{} // subnet -> what the change would do
	var torsGone []string      // TORs removed
	var covers []coverCheck    // new excludes and gateways
	for _, c := range p.Changes {
		switch {
		case c.Kind == topo.KindTOR && c.Op == topo.OpRemove:
			torsGone = append(torsGone, c.ID)
		case c.Kind != topo.KindSubnet:
		case c.Op == topo.OpRemove:
			used = append(used, c.ID)
			why[c.ID] = "release them first or keep the subnet"
		case c.Op == topo.OpUpdate:
			old, now := cur.subnets[c.ID], res.subnets[c.ID]
			switch {
			case old.Owner() != now.Owner():
				used = append(used, c.ID)
				why[c.ID] = fmt.Sprintf("it cannot move from %s to %s while nodes of %s hold addresses in it; release them first or keep it on %s",
					old.Owner(), now.Owner(), old.Owner(), old.Owner())
			case old.Subnet.Purpose != now.Subnet.Purpose:
				used = append(used, c.ID)
				why[c.ID] = fmt.Sprintf("its purpose cannot change from %s to %s while they are held; release them first or keep the purpose",
					old.Subnet.Purpose, now.Subnet.Purpose)
			}
			covers = append(covers, newCovers(old.Subnet, now.Subnet)...)
		}
	}
	held, err := s.subnetHolders(ctx, used)
	if err != nil {
		return err
	}
	for _, cidr := range used {
		if h := held[cidr]; h.n > 0 {
			errs = append(errs, conflict("subnet %s holds %s (e.g. %s): %s", cidr, h.count(), h.example(), why[cidr]))
		}
	}
	nodes, err := s.torNodes(ctx, torsGone)
	if err != nil {
		return err
	}
	for _, id := range torsGone {
		if h := nodes[id]; h.n > 0 {
			errs = append(errs, conflict("tor %s has %d node(s) (e.g. %s): register them on another TOR first, or keep the TOR", id, h.n, h.node))
		}
	}
	for _, c := range covers {
		h, err := s.holdersIn(ctx, c.subnet, c.p)
		if err != nil {
			return err
		}
		if h.n > 0 {
			errs = append(errs, conflict("subnet %s: the new %s %s covers %s held (e.g. %s): release it first or leave the %s as it was",
				c.subnet.CIDR, c.what, c.text(), h.count(), h.example(), c.what))
		}
	}
	virtual, err := s.virtualOverlaps(ctx, p)
	if err != nil {
		return err
	}
	errs = append(errs, virtual...)
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// coverCheck is a new exclude or gateway of a stored subnet: no allocation
// may lie in it.
type coverCheck struct {
	subnet topo.Subnet
	p      netip.Prefix
	what   string // "exclude" or "gateway"
}

func (c coverCheck) text() string {
	if c.what == "gateway" {
		return c.p.Addr().String()
	}
	return c.p.String()
}

// newCovers lists what a subnet's update newly keeps from being handed out.
func newCovers(old, now topo.Subnet) []coverCheck {
	var out []coverCheck
	if now.Gateway.IsValid() && now.Gateway != old.Gateway {
		out = append(out, coverCheck{subnet: now, p: netip.PrefixFrom(now.Gateway, now.Gateway.BitLen()), what: "gateway"})
	}
	for _, x := range now.Exclude {
		if !slices.Contains(old.Exclude, x) {
			out = append(out, coverCheck{subnet: now, p: x, what: "exclude"})
		}
	}
	return out
}

// chunks calls fn with ids 500 at a time.
func chunks(ids []string, fn func(part []any) error) error {
	for len(ids) > 0 {
		n := min(len(ids), 500)
		part := make([]any, n)
		for i, id := range ids[:n] {
			part[i] = id
		}
		if err := fn(part); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// subnetHolders counts the allocations of subnets, with one example each.
func (s *Store) subnetHolders(ctx context.Context, cidrs []string) (map[string]holders, error) {
	out := map[string]holders{}
	err := chunks(cidrs, func(part []any) error {
		return s.each(ctx, Q(`SELECT subnet, COUNT(*), address, node_id, COALESCE(container, '')
			FROM allocations WHERE subnet IN (`+marks(len(part))+`) GROUP BY subnet`, part...),
			func(scan func(...any) error) error {
				var cidr string
				var h holders
				if err := scan(&cidr, &h.n, &h.addr, &h.node, &h.container); err != nil {
					return err
				}
				out[cidr] = h
				return nil
			})
	})
	if err != nil {
		return nil, fmt.Errorf("count allocations of subnets: %w", err)
	}
	return out, nil
}

// torNodes counts the nodes behind TORs, with one example each.
func (s *Store) torNodes(ctx context.Context, tors []string) (map[string]holders, error) {
	out := map[string]holders{}
	err := chunks(tors, func(part []any) error {
		return s.each(ctx, Q(`SELECT tor_id, COUNT(*), MIN(id) FROM nodes WHERE tor_id IN (`+marks(len(part))+`) GROUP BY tor_id`, part...),
			func(scan func(...any) error) error {
				var tor string
				var h holders
				if err := scan(&tor, &h.n, &h.node); err != nil {
					return err
				}
				out[tor] = h
				return nil
			})
	})
	if err != nil {
		return nil, fmt.Errorf("count nodes of TORs: %w", err)
	}
	return out, nil
}

// holdersIn counts the allocations of a subnet inside p, with one example.
func (s *Store) holdersIn(ctx context.Context, sn topo.Subnet, p netip.Prefix) (holders, error) {
	var h holders
	first, last := rangeKeys(p)
	err := s.one(ctx, Q(`SELECT COUNT(*), COALESCE(MIN(address), ''), COALESCE(MIN(node_id), ''), COALESCE(MIN(container), '')
		FROM allocations WHERE subnet = ? AND addr_key BETWEEN ? AND ?`, sn.CIDR.String(), first, last),
		&h.n, &h.addr, &h.node, &h.container)
	if err != nil {
		return h, fmt.Errorf("look up allocations of %s in %s: %w", sn.CIDR, p, err)
	}
	return h, nil
}

// virtualOverlaps reports the plan's new subnets that overlap a subnet of
// a virtual TOR (which LoadTopology leaves out): one sort and one sweep.
func (s *Store) virtualOverlaps(ctx context.Context, p *TopologyPlan) (topo.Errors, error) {
	type tagged struct {
		p   netip.Prefix
		tor string // the virtual TOR's id, or the new subnet's owner ("tor t1", "pod p1")
		old bool
	}
	var all []tagged
	err := s.each(ctx, Q(`SELECT s.tor_id, s.cidr FROM subnets s JOIN tors t ON t.id = s.tor_id WHERE t.virtual = 1 AND t.level = 'tor'`),
		func(scan func(...any) error) error {
			var id string
			var pf netip.Prefix
			if err := scanPrefix(scan, &id, &pf); err != nil {
				return err
			}
			all = append(all, tagged{p: pf, tor: id, old: true})
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("list subnets of virtual TORs: %w", err)
	}
	if len(all) == 0 {
		return nil, nil
	}
	for _, c := range p.Changes {
		if c.Kind == topo.KindSubnet && c.Op == topo.OpAdd {
			pf, err := netip.ParsePrefix(c.ID)
			if err != nil {
				return nil, fmt.Errorf("plan subnet %q: %w", c.ID, err)
			}
			owner := "tor " + c.Parent
			if c.Level.Rank() > 0 {
				owner = string(c.Level) + " " + c.Parent
			}
			all = append(all, tagged{p: pf, tor: owner})
		}
	}
	slices.SortFunc(all, func(a, b tagged) int {
		if c := a.p.Addr().Compare(b.p.Addr()); c != 0 {
			return c
		}
		return a.p.Bits() - b.p.Bits()
	})
	var errs topo.Errors
	var open tagged
	for i, t := range all {
		if i > 0 && open.p.Overlaps(t.p) && open.old != t.old {
			v, n := open, t
			if n.old {
				v, n = n, v
			}
			errs = append(errs, conflict("subnet %s of %s overlaps stored subnet %s of virtual tor %s: pick a free range",
				n.p, n.tor, v.p, v.tor))
		}
		if i == 0 || netipx.PrefixLastIP(t.p).Compare(netipx.PrefixLastIP(open.p)) > 0 {
			open = t
		}
	}
	return errs, nil
}
