package alloc

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"

	"github.com/netipam/netipam/topo"
)

// plan groups a TOR's subnets by the purposes and families a request asks
// for, and checks that every requested IP lies in one of them.
func plan(req Request, tor string, subnets []topo.Subnet) ([]group, error) {
	var groups []group
	for _, purpose := range req.Purposes {
		n := len(groups)
		for _, fam := range []topo.Family{topo.IPv4, topo.IPv6} {
			if req.Family != 0 && req.Family != fam {
				continue
			}
			g := group{purpose: purpose, family: fam}
			for _, s := range subnets {
				if s.Purpose == purpose && topo.FamilyOf(s.CIDR.Addr()) == fam {
					g.subnets = append(g.subnets, s)
				}
			}
			if len(g.subnets) > 0 {
				groups = append(groups, g)
			}
		}
		if len(groups) == n {
			fam := ""
			if req.Family != 0 {
				fam = fmt.Sprintf("IPv%d ", req.Family)
			}
			return nil, topo.Errorf(topo.ErrInvalid, "TOR %s (node %s) has no %s%s subnet: add one with `netipam subnet add --tor %s --cidr CIDR --purpose %s`", tor, req.Node, fam, purpose, tor, purpose)
		}
	}
	taken := map[int]netip.Addr{} // group -> the static address asked for it
	for _, ip := range req.IPs {
		i := slices.IndexFunc(groups, func(g group) bool { return hasIPIn([]netip.Addr{ip}, g.subnets) })
		if i < 0 {
			return nil, topo.Errorf(topo.ErrInvalid, "%s is not in a %v subnet of TOR %s (node %s)", ip, req.Purposes, tor, req.Node)
		}
		if prev, dup := taken[i]; dup && req.Container != "" {
			return nil, topo.Errorf(topo.ErrInvalid, "%s and %s are both IPv%d %s addresses: a container interface holds one address per purpose and family",
				prev, ip, groups[i].family, groups[i].purpose)
		}
		taken[i] = ip
	}
	return groups, nil
}

// reuse splits a request's groups into those the owner already holds an
// address of (returned as allocations) and those still to allocate.
func reuse(owned []topo.Allocation, groups []group) ([]topo.Allocation, []group) {
	var have []topo.Allocation
	var rest []group
	for _, g := range groups {
		i := slices.IndexFunc(owned, func(a topo.Allocation) bool {
			return a.Purpose == g.purpose && topo.FamilyOf(a.Address) == g.family
		})
		if i < 0 {
			rest = append(rest, g)
			continue
		}
		have = append(have, owned[i])
	}
	return have, rest
}

func hasIPIn(ips []netip.Addr, subnets []topo.Subnet) bool {
	for _, ip := range ips {
		for _, s := range subnets {
			if s.CIDR.Contains(ip) {
				return true
			}
		}
	}
	return false
}

func exhausted(tor string, g group, pools []*Pool) error {
	var used, capacity uint64
	for _, p := range pools {
		if p != nil { // nil: a subnet no pool accepts (see unusable)
			used, capacity = used+p.Used(), capacity+p.Capacity()
		}
	}
	if slices.ContainsFunc(g.subnets, func(s topo.Subnet) bool { return s.Level.Rank() > 0 }) {
		return topo.Errorf(topo.ErrExhausted, "TOR %s and the pools of its pod and zone have no free IPv%d %s address (%d subnet(s), %d of %d used): add a subnet with `netipam subnet add --tor %s --purpose %s --cidr CIDR`, or to the pod's or zone's subnets in the topology file", tor, g.family, g.purpose, len(pools), used, capacity, tor, g.purpose)
	}
	return topo.Errorf(topo.ErrExhausted, "TOR %s has no free IPv%d %s address (%d subnet(s), %d of %d used): add a subnet with `netipam subnet add --tor %s --purpose %s --cidr CIDR`", tor, g.family, g.purpose, len(pools), used, capacity, tor, g.purpose)
}

func takeErr(err error) error {
	switch {
	case errors.Is(err, ErrTaken):
		return topo.Errorf(topo.ErrConflict, "already allocated")
	case errors.Is(err, ErrReserved):
		return topo.Errorf(topo.ErrInvalid, "reserved (network, broadcast, gateway or excluded)")
	}
	return topo.Errorf(topo.ErrInvalid, "%w", err)
}
