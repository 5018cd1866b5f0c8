package topo

import (
	"fmt"
	"net/netip"
	"slices"

	"go4.org/netipx"
)

// CompatNode is one node of a cluster that used host-local: its id, the
// config file its ranges came from, and those ranges as subnets.
type CompatNode struct {
	ID      string
	File    string
	Subnets []Subnet
}

// CompatOptions name what CompatTopology declares: one zone, one pod in
// it, and per node a TOR whose id is TORPrefix and the node's id.
type CompatOptions struct {
	Zone, Pod, TORPrefix string
}

// CompatLabel marks the nodes CompatTopology places, with its value.
const (
	CompatLabel = "netipam.io/migrated-from"
	CompatValue = "host-local"
)

// CompatTopology declares the compatibility mode of the design notes
// (section 9): one TOR per node, holding the node's own host-local ranges,
// in one zone and pod whose prefixes are exactly the union of those ranges,
// and the nodes on them. A node can later move to a real TOR once it holds
// no address. Ranges of two nodes must not overlap (host-local on each
// node would hand out the same addresses); every problem names the nodes
// and files.
func CompatTopology(nodes []CompatNode, o CompatOptions) (*Topology, []Node, error) {
	var errs Errors
	add := func(file, format string, args ...any) {
		errs = append(errs, &Error{File: file, Msg: fmt.Sprintf(format, args...)})
	}
	for _, id := range []struct{ what, v string }{{"--zone", o.Zone}, {"--pod", o.Pod}} {
		if err := CheckID(id.what, id.v); err != nil {
			return nil, nil, Errorf(ErrInvalid, "%w", err)
		}
	}
	type owned struct {
		p    netip.Prefix
		node CompatNode
	}
	var all []owned
	seen := map[string]string{}
	var b netipx.IPSetBuilder
	for _, n := range nodes {
		tor := o.TORPrefix + n.ID
		switch {
		case !idPattern().MatchString(n.ID):
			add(n.File, "node %s: not a valid node id: use letters, digits, '.', '_' and '-', starting with a letter or digit, at most 63 characters", Quote(n.ID))
			continue
		case !idPattern().MatchString(tor) || virtualProblem("tor", tor) != "":
			add(n.File, "node %s: its TOR id %s is not a valid id (at most 63 characters, not starting with %s): give a shorter --tor-prefix", n.ID, Quote(tor), VirtualPrefix)
			continue
		}
		if first, dup := seen[n.ID]; dup {
			add(n.File, "node %s is given twice (also with %s): give one config per node", n.ID, first)
			continue
		}
		seen[n.ID] = n.File
		for _, s := range n.Subnets {
			all = append(all, owned{s.CIDR, n})
			b.AddPrefix(s.CIDR)
		}
	}
	// Prefixes nest or are disjoint: in address order, one overlaps an
	// earlier one exactly when the one reaching furthest so far holds it.
	slices.SortFunc(all, func(x, y owned) int {
		if c := x.p.Addr().Compare(y.p.Addr()); c != 0 {
			return c
		}
		return x.p.Bits() - y.p.Bits()
	})
	var reach *owned
	for i := range all {
		cur := &all[i]
		if reach != nil && reach.p.Contains(cur.p.Addr()) {
			add(cur.node.File, "node %s's range %s overlaps node %s's range %s (%s): host-local hands out the same addresses on both; give each node its own range",
				cur.node.ID, cur.p, reach.node.ID, reach.p, reach.node.File)
		}
		if reach == nil || netipx.PrefixLastIP(reach.p).Less(netipx.PrefixLastIP(cur.p)) || reach.p.Addr().Is4() != cur.p.Addr().Is4() {
			reach = cur
		}
	}
	if len(errs) > 0 {
		return nil, nil, errs
	}
	set, err := b.IPSet()
	if err != nil {
		return nil, nil, fmt.Errorf("union of the ranges: %w", err)
	}
	space := set.Prefixes()
	pod := Pod{ID: o.Pod, Name: "host-local nodes (compatibility mode)", CIDRs: space}
	out := make([]Node, 0, len(nodes))
	for _, n := range nodes {
		tor := o.TORPrefix + n.ID
		pod.TORs = append(pod.TORs, TOR{ID: tor, Name: "virtual TOR of " + n.ID, Subnets: n.Subnets})
		out = append(out, Node{ID: n.ID, Name: n.ID, TOR: tor, Labels: map[string]string{CompatLabel: CompatValue}})
	}
	t := &Topology{Zones: []Zone{{ID: o.Zone, Name: "host-local (compatibility mode)", CIDRs: space, Pods: []Pod{pod}}}}
	if err := t.Validate(); err != nil {
		return nil, nil, err
	}
	return t, out, nil
}
