package alloc

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/netipam/netipam/topo"
)

// Lease is an address another IPAM gave an attachment on a node (a
// host-local lease), to be taken over.
type Lease struct {
	Addr      netip.Addr
	Container string
	IfName    string
}

// Refusal is a lease that is not taken over, and why.
type Refusal struct {
	Lease  Lease
	Reason string
}

// Adoption sorts a node's leases: what to record, what is recorded
// already, what may stay unrecorded because netipam never hands it out
// (outside the TOR's subnets, a reserved or gateway address), and what
// conflicts (held by another attachment, or a second address of one
// purpose and family for an attachment): those netipam could hand out
// again while the container still uses them.
type Adoption struct {
	New       []topo.Allocation
	Already   []topo.Allocation
	Skipped   []Refusal
	Conflicts []Refusal
}

// AdoptTarget is where leases are taken over: a node, its TOR and the
// TOR's subnets, and the CNI network the leases belong to.
type AdoptTarget struct {
	Node, TOR, Network string
	Subnets            []topo.Subnet
}

// Adopt decides, for each lease, whether to record it as an allocation of
// the target network on the node. held lists the stored allocations of
// the leases' addresses and the node's allocations of the network. Leases
// are taken in address order; the result is the same for the same input.
func Adopt(t AdoptTarget, leases []Lease, held []topo.Allocation) (Adoption, error) {
	pools := make([]*Pool, len(t.Subnets))
	for i, s := range t.Subnets {
		p, err := NewPool(s.CIDR, s.Gateway, s.Exclude)
		if err != nil {
			return Adoption{}, fmt.Errorf("subnet %s of tor %s: %w", s.CIDR, t.TOR, err)
		}
		pools[i] = p
	}
	type ownerKey struct {
		att     topo.Attachment
		purpose topo.Purpose
		family  topo.Family
	}
	byAddr := make(map[netip.Addr]topo.Allocation, len(held))
	owners := make(map[ownerKey]netip.Addr, len(held))
	for _, h := range held {
		byAddr[h.Address] = h
		owners[ownerKey{h.Attachment(), h.Purpose, topo.FamilyOf(h.Address)}] = h.Address
	}
	leases = slices.Clone(leases)
	slices.SortFunc(leases, func(a, b Lease) int { return a.Addr.Compare(b.Addr) })
	var out Adoption
	for _, l := range leases {
		att := topo.Attachment{Network: t.Network, Container: l.Container, IfName: l.IfName}
		if h, ok := byAddr[l.Addr]; ok {
			if h.Attachment() == att && h.Node == t.Node {
				out.Already = append(out.Already, h)
				continue
			}
			out.Conflicts = append(out.Conflicts, Refusal{l, fmt.Sprintf("held in netipam by %s on node %s: release one of the two",
				h.Attachment(), h.Node)})
			continue
		}
		i := slices.IndexFunc(t.Subnets, func(s topo.Subnet) bool { return s.CIDR.Contains(l.Addr) })
		if i < 0 {
			out.Skipped = append(out.Skipped, Refusal{l, fmt.Sprintf("outside the subnets of tor %s: netipam never hands it out", t.TOR)})
			continue
		}
		s := t.Subnets[i]
		switch {
		case l.Addr == s.Gateway:
			out.Skipped = append(out.Skipped, Refusal{l, fmt.Sprintf("the gateway of %s: netipam never hands it out", s.CIDR)})
			continue
		case pools[i].Reserved(l.Addr):
			out.Skipped = append(out.Skipped, Refusal{l, fmt.Sprintf("a reserved address of %s (network, broadcast or excluded): netipam never hands it out", s.CIDR)})
			continue
		}
		k := ownerKey{att, s.Purpose, topo.FamilyOf(l.Addr)}
		if other, ok := owners[k]; ok {
			out.Conflicts = append(out.Conflicts, Refusal{l, fmt.Sprintf("%s already holds %s, of the same purpose (%s) and family: netipam keeps one address per purpose and family for an attachment; release one in the container's network",
				att, other, s.Purpose)})
			continue
		}
		owners[k] = l.Addr
		out.New = append(out.New, topo.Allocation{Address: l.Addr, Subnet: s.CIDR, Purpose: s.Purpose, Node: t.Node,
			TOR: t.TOR, Gateway: s.Gateway, Container: l.Container, IfName: l.IfName, Network: t.Network})
	}
	return out, nil
}
