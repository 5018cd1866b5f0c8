package alloc

import (
	"context"
	"fmt"
	"net/netip"
	"slices"

	"github.com/netipam/netipam/topo"
)

// A node's addresses of one network, purpose and family come from one
// subnet while it has room: a node-local bridge holds one gateway per
// family (the CNI bridge plugin refuses a second IPv4 address on it), so
// containers of one node spread over two subnets break it. The subnet is
// the one the node took first (the least used of the TOR when it first
// needed one); the next only when that is full.

// homeKey names the addresses that share a subnet.
type homeKey struct {
	node, network string
	purpose       topo.Purpose
	family        topo.Family
}

func (r Request) homeKey(g group) homeKey {
	return homeKey{node: r.Node, network: r.Network, purpose: g.purpose, family: g.family}
}

// firstUse reads which subnets the node uses in the request's network,
// unless a long-lived allocator already knows every group's subnet.
func (a *Allocator) firstUse(ctx context.Context, req Request, groups []group) ([]topo.SubnetUse, error) {
	if !slices.ContainsFunc(groups, func(g group) bool { return !hasIPIn(req.IPs, g.subnets) }) {
		return nil, nil // static addresses only
	}
	if !a.oneShot {
		a.mu.Lock()
		known := true
		for _, g := range groups {
			_, ok := a.homes[req.homeKey(g)]
			known = known && ok
		}
		a.mu.Unlock()
		if known {
			return nil, nil
		}
	}
	use, err := a.ledger.FirstUse(ctx, req.Node, req.Network)
	if err != nil {
		return nil, fmt.Errorf("look up the subnets of node %s: %w", req.Node, err)
	}
	return use, nil
}

// homePool chooses the pool of a group's next address: the subnet this
// allocator last chose for the key while it has room, else the one the
// node took first (by the ledger) that has room, else the least used at
// the nearest level (Nearest). The allocator remembers its choice: the
// addresses of one request (--count) share it, and a long-lived
// allocator's concurrent requests, not yet in the ledger, agree. Called
// with a.mu held.
func (a *Allocator) homePool(k homeKey, g group, pools []*Pool, use []topo.SubnetUse) *Pool {
	room := func(pfx netip.Prefix) *Pool {
		i := slices.IndexFunc(g.subnets, func(s topo.Subnet) bool { return s.CIDR == pfx })
		if i < 0 || pools[i] == nil || pools[i].Full() {
			return nil
		}
		return pools[i]
	}
	if h, ok := a.homes[k]; ok {
		if p := room(h); p != nil {
			return p
		}
	}
	var p *Pool
	if first := firstWithRoom(use, g, room); first.IsValid() {
		p = room(first)
	} else {
		p = Nearest(g.subnets, pools)
		a.firstChoice = true
	}
	if p != nil {
		a.homes[k] = p.Prefix()
	}
	return p
}

// firstWithRoom gives the subnet of the group the node took first among
// those with room (room returns nil for the others), or the zero prefix.
func firstWithRoom(use []topo.SubnetUse, g group, room func(netip.Prefix) *Pool) netip.Prefix {
	var best topo.SubnetUse
	for _, u := range use {
		if u.Purpose != g.purpose || topo.FamilyOf(u.Subnet.Addr()) != g.family || room(u.Subnet) == nil {
			continue
		}
		if !best.Subnet.IsValid() || u.First < best.First {
			best = u
		}
	}
	return best.Subnet
}

// settle moves a one-shot allocation of a container to the subnet the node
// took first, when concurrent first allocations of the node (separate
// processes, each reading the ledger before the others wrote) chose
// different subnets: the later ones give their address back and allocate
// again, which then finds the earlier one's subnet. At most maxSettle
// rounds.
func (a *Allocator) settle(ctx context.Context, req Request, out []topo.Allocation) ([]topo.Allocation, error) {
	a.mu.Lock()
	first := a.firstChoice
	a.mu.Unlock()
	if !first {
		return out, nil // the node had a subnet for every address: nothing to race
	}
	for range maxSettle {
		use, err := a.ledger.FirstUse(ctx, req.Node, req.Network)
		if err != nil {
			return nil, fmt.Errorf("look up the subnets of node %s: %w", req.Node, err)
		}
		var moved []topo.Allocation
		for _, x := range out {
			if slices.Contains(req.IPs, x.Address) {
				continue
			}
			g := group{purpose: x.Purpose, family: topo.FamilyOf(x.Address)}
			a.mu.Lock()
			first := firstWithRoom(use, g, func(pfx netip.Prefix) *Pool {
				if p := a.pools[pfx]; p != nil && (pfx == x.Subnet || !p.Full()) {
					return p
				}
				return nil
			})
			a.mu.Unlock()
			if first.IsValid() && first != x.Subnet {
				moved = append(moved, x)
			}
		}
		if len(moved) == 0 {
			return out, nil
		}
		if err := a.ledger.Unrecord(ctx, moved); err != nil {
			return nil, err
		}
		a.Forget(moved)
		a.mu.Lock()
		for _, x := range moved { // choose again, from the ledger
			delete(a.homes, homeKey{node: req.Node, network: req.Network, purpose: x.Purpose, family: topo.FamilyOf(x.Address)})
		}
		a.mu.Unlock()
		if out, _, err = a.allocate(ctx, req, false); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// maxSettle bounds the moves of one allocation (each finds an older
// subnet of the node, so one is the rule).
const maxSettle = 3
