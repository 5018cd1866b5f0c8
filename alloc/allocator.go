package alloc

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/netipam/netipam/topo"
)

// Ledger is what the allocator needs from the store: the database is the
// judge of every allocation; pools only propose candidates.
type Ledger interface {
	// NodeTOR gives the TOR a node is registered on (topo.ErrNotFound if
	// the node is not registered).
	NodeTOR(ctx context.Context, node string) (string, error)
	// NodeSubnets lists the subnets a node of a TOR may take addresses
	// from, each with its Level: the TOR's, then its pod's and its zone's
	// own (as the purposes' strategies allow), nearest level first.
	NodeSubnets(ctx context.Context, tor string) ([]topo.Subnet, error)
	// Held calls fn with every allocated address of the subnets.
	Held(ctx context.Context, subnets []netip.Prefix, fn func(netip.Prefix, netip.Addr)) error
	// HeldFrom lists, in address order, at most limit allocated addresses
	// of a subnet from the address from on.
	HeldFrom(ctx context.Context, subnet netip.Prefix, from netip.Addr, limit int) ([]netip.Addr, error)
	// Counts gives the number of allocated addresses of each subnet.
	Counts(ctx context.Context, subnets []netip.Prefix) (map[netip.Prefix]uint64, error)
	// Cursors gives each subnet's most recently allocated address.
	Cursors(ctx context.Context, subnets []netip.Prefix) (map[netip.Prefix]netip.Addr, error)
	// Owned lists what an attachment holds, on whichever node.
	Owned(ctx context.Context, a topo.Attachment) ([]topo.Allocation, error)
	// InsertAllocations records allocations atomically, all or none; a
	// duplicate address or owner is an error wrapping topo.ErrConflict.
	InsertAllocations(ctx context.Context, allocs []topo.Allocation) error
	// FirstUse lists the subnets a node holds addresses of in a network,
	// each with the ledger order of the oldest (home.go).
	FirstUse(ctx context.Context, node, network string) ([]topo.SubnetUse, error)
	// Unrecord releases exactly these allocations of one owner.
	Unrecord(ctx context.Context, allocs []topo.Allocation) error
}

// maxAttempts bounds the retries after the database refuses a candidate
// another allocator took first.
const maxAttempts = 64

// Allocator hands out addresses: it picks candidates from in-memory pools
// and lets the ledger's constraints decide. It is safe for concurrent use;
// pools are loaded on first use and kept.
type Allocator struct {
	ledger Ledger
	mu     sync.Mutex
	pools  map[netip.Prefix]*Pool
	// tors and subnets remember, for topologyTTL, the ledger's answers to
	// NodeTOR and TORSubnets: a long-lived allocator (a server, a
	// benchmark) then makes one request per allocation, the atomic insert.
	tors    map[string]cachedTOR
	subnets map[string]cachedSubnets
	// homes remembers the subnet each node's addresses of a network,
	// purpose and family come from (home.go).
	homes map[homeKey]netip.Prefix
	// firstChoice: a one-shot allocation chose a subnet for a node that
	// had none for it (settle then checks for a concurrent choice).
	firstChoice bool
	now         func() time.Time
	// oneShot: pools are partial, read a window at a time (window.go).
	oneShot bool
	// feedMu serialises reads of the change feed and pool rebuilds
	// (feed.go); feed is nil until Follow.
	feedMu  sync.Mutex
	feed    Feed
	feedPos int64
	// resyncDue: a topology change was read from the feed but its pools
	// not yet compared (resync failed); the next catch-up does it.
	resyncDue bool
}

// NewAllocator returns an allocator over a ledger.
func NewAllocator(l Ledger) *Allocator {
	return &Allocator{ledger: l, pools: map[netip.Prefix]*Pool{},
		tors: map[string]cachedTOR{}, subnets: map[string]cachedSubnets{}, homes: map[homeKey]netip.Prefix{}, now: time.Now}
}

// NewOneShotAllocator returns an allocator for a process that makes one
// request: its pools read only the stretches of their subnets that the
// request looks at (window.go), so that a call costs the same however many
// addresses the subnets hold.
func NewOneShotAllocator(l Ledger) *Allocator {
	a := NewAllocator(l)
	a.oneShot = true
	return a
}

// group is one (purpose, family) of a request with the TOR's subnets for it.
type group struct {
	purpose topo.Purpose
	family  topo.Family
	subnets []topo.Subnet
}

// Allocate hands out one address (or Count) per purpose and family, or the
// requested IPs, all or nothing.
//
// The node's TOR and the TOR's subnets may come from what the allocator
// remembers (topologyTTL). If the allocation then fails for a reason the
// topology could explain (not found, invalid, exhausted, a conflict), or
// the first conflict shows the topology changed, it is tried once more
// with both read afresh. A failure of the store itself (unavailable) is
// returned as it is: retrying it is the caller's decision.
func (a *Allocator) Allocate(ctx context.Context, req Request) ([]topo.Allocation, error) {
	out, fromCache, err := a.allocate(ctx, req, true)
	if err != nil && (errors.Is(err, errStaleTopology) || fromCache && !errors.Is(err, topo.ErrUnavailable)) {
		out, _, err = a.allocate(ctx, req, false)
	}
	if errors.Is(err, errStaleTopology) {
		err = topo.Errorf(topo.ErrUnavailable, "allocate for %s: the topology changed during the allocation: try again", req.Node)
	}
	if err == nil && a.oneShot && req.Container != "" {
		return a.settle(ctx, req, out)
	}
	return out, err
}

func (a *Allocator) allocate(ctx context.Context, req Request, cached bool) (_ []topo.Allocation, fromCache bool, _ error) {
	if err := req.Validate(); err != nil {
		return nil, false, err
	}
	if len(req.Purposes) == 0 {
		req.Purposes = []topo.Purpose{topo.PurposeDefault}
	}
	if req.Count == 0 {
		req.Count = 1
	}
	if req.Count > 1 && (req.Container != "" || len(req.IPs) > 0) {
		return nil, false, topo.Errorf(topo.ErrInvalid, "allocate %d addresses: a count goes with neither a container nor --ip", req.Count)
	}
	tor, subnets, fromCache, err := a.topology(ctx, req.Node, cached)
	if err != nil {
		if errors.Is(err, topo.ErrNotFound) {
			return nil, false, topo.Errorf(topo.ErrNotFound, "node %s is not registered: register it with `netipam node register --id %s --tor TOR`",
				req.Node, req.Node)
		}
		return nil, false, fmt.Errorf("look up node %s: %w", req.Node, err)
	}
	out, err := a.allocateOn(ctx, req, tor, subnets, fromCache)
	if err != nil {
		a.forgetTopology(req.Node, tor) // whatever failed, the next call reads it afresh
	}
	return out, fromCache, err
}

func (a *Allocator) allocateOn(ctx context.Context, req Request, tor string, subnets []topo.Subnet, fromCache bool) ([]topo.Allocation, error) {
	groups, err := plan(req, tor, subnets)
	if err != nil {
		return nil, err
	}
	var have []topo.Allocation
	if req.Container != "" {
		owned, err := a.owned(ctx, req)
		if err != nil {
			return nil, err
		}
		have, groups = reuse(owned, groups)
		if len(groups) == 0 {
			return have, nil // the same request again: the same answer
		}
	}
	if err := a.load(ctx, groups, false); err != nil {
		return nil, err
	}
	// After load: what the pools counted is older than what this reads,
	// so a node's first allocation seen here is never missed (home.go).
	use, err := a.firstUse(ctx, req, groups)
	if err != nil {
		return nil, err
	}
	rebuilt := a.oneShot // a one-shot allocator's pools are read afresh already
	caughtUp := false
	for attempt := 0; attempt < maxAttempts; attempt++ {
		picks, err := a.pickKnown(ctx, req, tor, groups, use)
		if err != nil && !caughtUp && isPoolRefusal(err) && a.following() {
			// The pool refuses a static address or finds the TOR full:
			// what another process released, or a topology change, may
			// still be in the feed. Catch up once before saying so.
			caughtUp = true
			if err := a.CatchUp(ctx); err != nil {
				return nil, err
			}
			if err := a.load(ctx, groups, false); err != nil { // pools the catch-up found stale
				return nil, err
			}
			picks, err = a.pickKnown(ctx, req, tor, groups, use)
		}
		if err != nil && !rebuilt && errors.Is(err, topo.ErrExhausted) {
			// Full pools of a long-lived allocator: what others released
			// may not have reached them yet. Read them afresh, once.
			rebuilt = true
			if err := a.rebuild(ctx, groups); err != nil {
				return nil, err
			}
			picks, err = a.pickKnown(ctx, req, tor, groups, use)
		}
		if err != nil {
			return nil, err
		}
		err = a.ledger.InsertAllocations(ctx, picks)
		if err == nil {
			return append(have, picks...), nil
		}
		a.Forget(picks)
		if !errors.Is(err, topo.ErrConflict) {
			return nil, err
		}
		if req.Container != "" { // a concurrent identical request may have won
			owned, oerr := a.owned(ctx, req)
			if oerr != nil {
				return nil, oerr
			}
			if h, rest := reuse(owned, groups); len(rest) == 0 {
				return append(have, h...), nil
			}
		}
		if attempt == 0 {
			// Is the topology the request was planned on still the
			// ledger's? An import may have changed it since (a new
			// exclude or gateway makes the database refuse candidates
			// the pool still offers).
			t2, s2, _, err := a.topology(ctx, req.Node, false)
			if err != nil {
				return nil, err
			}
			if t2 != tor || !sameSubnets(s2, subnets) {
				return nil, errStaleTopology
			}
		}
		// Another allocator holds what we proposed: learn what it holds.
		if err := a.load(ctx, groups, true); err != nil {
			return nil, err
		}
	}
	return nil, topo.Errorf(topo.ErrUnavailable, "allocate on %s: %d attempts lost to concurrent allocators", tor, maxAttempts)
}

// owned lists what the request's attachment holds. An attachment held on
// another node is never returned: the request is refused, naming the
// holder, since handing back (or adding to) another node's addresses would
// route them to the wrong rack.
func (a *Allocator) owned(ctx context.Context, req Request) ([]topo.Allocation, error) {
	att := req.attachment()
	owned, err := a.ledger.Owned(ctx, att)
	if err != nil {
		return nil, fmt.Errorf("look up attachment %s: %w", att, err)
	}
	for _, o := range owned {
		if o.Node != req.Node {
			return nil, topo.Errorf(topo.ErrConflict,
				"attachment %s already holds %s on node %s, not on %s: release it there first or use another container ID",
				att, o.Address, o.Node, req.Node)
		}
	}
	return owned, nil
}

// pick proposes candidates for every group, holding them in the pools. On
// an error it holds nothing.
func (a *Allocator) pick(req Request, tor string, groups []group, use []topo.SubnetUse) ([]topo.Allocation, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	var picks []topo.Allocation
	fail := func(err error) ([]topo.Allocation, error) {
		a.forgetLocked(picks)
		return nil, err
	}
	for _, g := range groups {
		pools := make([]*Pool, len(g.subnets))
		for i, s := range g.subnets {
			pools[i] = a.pools[s.CIDR]
		}
		for _, ip := range req.IPs {
			i := slices.IndexFunc(g.subnets, func(s topo.Subnet) bool { return s.CIDR.Contains(ip) })
			if i < 0 {
				continue
			}
			if pools[i] == nil {
				return fail(topo.Errorf(topo.ErrInvalid, "allocate %s: its subnet %s is unusable (see `netipam check`)", ip, g.subnets[i].CIDR))
			}
			if err := pools[i].Take(ip); err != nil {
				return fail(poolRefusal{fmt.Errorf("allocate %s in %s: %w", ip, g.subnets[i].CIDR, takeErr(err))})
			}
			picks = append(picks, a.allocation(req, tor, g, g.subnets[i], ip))
		}
		if hasIPIn(req.IPs, g.subnets) {
			continue
		}
		for n := 0; n < req.Count; n++ {
			p := a.homePool(req.homeKey(g), g, pools, use)
			if p == nil {
				return fail(poolRefusal{exhausted(tor, g, pools)})
			}
			ip, err := p.Next()
			if err != nil {
				return fail(fmt.Errorf("allocate in %s: %w", p.Prefix(), err))
			}
			i := slices.Index(pools, p)
			picks = append(picks, a.allocation(req, tor, g, g.subnets[i], ip))
		}
	}
	return picks, nil
}

func (a *Allocator) allocation(req Request, tor string, g group, s topo.Subnet, ip netip.Addr) topo.Allocation {
	return topo.Allocation{Address: ip, Subnet: s.CIDR, Purpose: g.purpose, Node: req.Node, TOR: tor,
		Gateway: s.Gateway, Container: req.Container, IfName: req.IfName, Network: req.Network,
		PodNS: req.PodNS, PodName: req.PodName}
}

// Forget returns released (or never recorded) addresses to their pools.
func (a *Allocator) Forget(allocs []topo.Allocation) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.forgetLocked(allocs)
}

func (a *Allocator) forgetLocked(allocs []topo.Allocation) {
	for _, x := range allocs {
		if p := a.pools[x.Subnet]; p != nil {
			p.Release(x.Address)
		}
	}
}

// load builds the pools of the groups' subnets from the ledger: the missing
// ones, or with refresh all of them (marking what others hold now; marks
// of in-flight candidates of this process stay).
func (a *Allocator) load(ctx context.Context, groups []group, refresh bool) error {
	var need []netip.Prefix
	fresh := map[netip.Prefix]*Pool{}
	a.mu.Lock()
	for _, g := range groups {
		for _, s := range g.subnets {
			have := a.pools[s.CIDR]
			stale := have != nil && !definedBy(have, s) // the topology changed its gateway or excludes
			if have != nil && !stale && !refresh {
				continue
			}
			if have == nil || stale {
				p, err := NewPool(s.CIDR, s.Gateway, s.Exclude)
				if err != nil {
					// Unusable: no pool, never allocated from (see
					// Capacity), and nothing of it read again.
					delete(a.pools, s.CIDR)
					continue
				}
				if a.oneShot && !refresh {
					p.partial()
				}
				fresh[s.CIDR] = p
			}
			need = append(need, s.CIDR)
		}
	}
	a.mu.Unlock()
	if len(need) == 0 {
		return nil
	}
	held := map[netip.Prefix][]netip.Addr{}
	var counts map[netip.Prefix]uint64
	if a.oneShot && !refresh {
		// Partial pools read what they look at (pickKnown); only a choice
		// between several subnets needs their use.
		var several []netip.Prefix
		for _, g := range groups {
			if len(g.subnets) > 1 {
				for _, s := range g.subnets {
					several = append(several, s.CIDR)
				}
			}
		}
		var err error
		if counts, err = a.ledger.Counts(ctx, several); err != nil {
			return err
		}
	} else if err := a.ledger.Held(ctx, need, func(p netip.Prefix, ip netip.Addr) { held[p] = append(held[p], ip) }); err != nil {
		return err
	}
	var cursors map[netip.Prefix]netip.Addr
	if len(fresh) > 0 {
		var err error
		if cursors, err = a.ledger.Cursors(ctx, need); err != nil {
			return err
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, pfx := range need {
		p := a.pools[pfx]
		if f := fresh[pfx]; f != nil && (p == nil || !f.Defines(p.gateway, p.exclude)) {
			// Missing, or built for another definition of the subnet
			// (unless another caller replaced it meanwhile).
			if c, ok := cursors[pfx]; ok {
				f.SetCursor(c)
			}
			p, a.pools[pfx] = f, f
		}
		if p == nil {
			continue
		}
		for _, ip := range held[pfx] {
			p.Mark(ip)
		}
		if n, ok := counts[pfx]; ok {
			p.Counted(n)
		}
		if refresh {
			p.Complete()
		}
	}
	return nil
}

// sameSubnets reports whether two subnet lists say the same.
func sameSubnets(x, y []topo.Subnet) bool {
	return slices.EqualFunc(x, y, func(a, b topo.Subnet) bool {
		return a.CIDR == b.CIDR && a.Purpose == b.Purpose && a.Gateway == b.Gateway && slices.Equal(a.Exclude, b.Exclude)
	})
}

// poolRefusal marks an error that comes from the pools (a static address
// held or reserved, no free address), not from the ledger.
type poolRefusal struct{ err error }

func (e poolRefusal) Error() string { return e.err.Error() }
func (e poolRefusal) Unwrap() error { return e.err }

func isPoolRefusal(err error) bool {
	var r poolRefusal
	return errors.As(err, &r)
}
