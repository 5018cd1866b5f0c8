package alloc

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/netipam/netipam/topo"
)

// A long-lived allocator (a server) keeps its pools true while other
// processes write: it loads every pool once (LoadAll), then applies the
// ledger's change feed (Follow): an address allocated elsewhere is marked
// held, one released elsewhere (release, gc) is free again. The feed is
// read from the event ID taken before the load, so nothing written between
// the load and the first poll is missed; applying an event the load already
// saw changes nothing, since events are applied in ID order and the last
// event of an address is its state.

// Feed is the ledger read as a change feed (*store.Store implements it).
type Feed interface {
	// LastEventID gives the newest event's ID.
	LastEventID(ctx context.Context) (int64, error)
	// AllocationChanges calls fn in ID order for at most limit events
	// after afterID and gives the last ID read; events that are not
	// allocate, release or gc come with an invalid subnet and address.
	AllocationChanges(ctx context.Context, afterID int64, limit int,
		fn func(kind string, subnet netip.Prefix, addr netip.Addr)) (int64, error)
	// SubnetDefinitions lists every subnet with its gateway and excludes.
	SubnetDefinitions(ctx context.Context) ([]topo.Subnet, error)
}

// Topology changes reach the pools through the same feed: every change of
// nodes, subnets, gateways or excludes is written with a ledger event
// (node, subnet, expand, import) in its own batch. On such an event the
// allocator forgets the topology it remembers (topologyTTL) and, unless
// only nodes changed, compares every pool with its subnet's definition,
// rebuilding from the ledger those whose gateway or excludes changed
// (resync). A pool of a removed subnet is kept: nothing plans on it once
// the topology is read again, and if the subnet comes back with another
// definition, load rebuilds it.

// topologyEvent reports whether an event kind changes the topology, and
// whether it may change subnets (not only nodes).
func topologyEvent(kind string) (topology, subnets bool) {
	switch kind {
	case "allocate", "release", "gc":
		return false, false
	case "node":
		return true, false
	}
	return true, true // import, subnet, expand, and any kind added later
}

// feedPage bounds the events one read of the feed returns.
const feedPage = 4096

// feedPages bounds the pages one catch-up reads: past that, the next tick
// goes on.
const feedPages = 64

// loadChunk bounds the subnets of one Held read at load time.
const loadChunk = 500

// LoadAll builds the pools of subnets from the ledger, replacing any it
// has: what a server does at start-up, reading each subnet's held
// addresses once.
func (a *Allocator) LoadAll(ctx context.Context, subnets []topo.Subnet) error {
	pools, err := a.build(ctx, subnets)
	if err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for pfx, p := range pools {
		a.pools[pfx] = p
	}
	return nil
}

// build makes complete pools of subnets from the ledger, cursors included.
func (a *Allocator) build(ctx context.Context, subnets []topo.Subnet) (map[netip.Prefix]*Pool, error) {
	pools := make(map[netip.Prefix]*Pool, len(subnets))
	prefixes := make([]netip.Prefix, 0, len(subnets))
	for _, s := range subnets {
		if _, dup := pools[s.CIDR]; dup {
			continue
		}
		p, err := NewPool(s.CIDR, s.Gateway, s.Exclude)
		if err != nil {
			continue // unusable: no pool, never allocated from (see Capacity)
		}
		pools[s.CIDR] = p
		prefixes = append(prefixes, s.CIDR)
	}
	mark := func(pfx netip.Prefix, ip netip.Addr) {
		if p := pools[pfx]; p != nil {
			p.Mark(ip)
		}
	}
	for rest := prefixes; len(rest) > 0; {
		n := min(len(rest), loadChunk)
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("load pools: %w", err)
		}
		if err := a.ledger.Held(ctx, rest[:n], mark); err != nil {
			return nil, fmt.Errorf("load pools: %w", err)
		}
		rest = rest[n:]
	}
	cursors, err := a.ledger.Cursors(ctx, prefixes)
	if err != nil {
		return nil, fmt.Errorf("load pools: %w", err)
	}
	for pfx, c := range cursors {
		pools[pfx].SetCursor(c)
	}
	return pools, nil
}

// Follow applies the feed to the pools, from the event after from on,
// every interval, until ctx ends (then it returns nil). A failed read is
// given to onErr (if not nil) and tried again at the next tick.
func (a *Allocator) Follow(ctx context.Context, feed Feed, from int64, every time.Duration, onErr func(error)) error {
	a.feedMu.Lock()
	a.feed, a.feedPos = feed, from
	a.feedMu.Unlock()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := a.CatchUp(ctx); err != nil && ctx.Err() == nil && onErr != nil {
			onErr(err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// CatchUp applies what the feed holds now (a bounded number of pages; the
// rest at the next call). Without a feed (no Follow yet) it does nothing.
func (a *Allocator) CatchUp(ctx context.Context) error {
	a.feedMu.Lock()
	defer a.feedMu.Unlock()
	if a.feed == nil {
		return nil
	}
	type change struct {
		kind string
		pfx  netip.Prefix
		ip   netip.Addr
	}
	var page []change
	var topology bool
	defer func() {
		if topology {
			a.forgetAllTopology()
		}
	}()
	for range feedPages {
		page = page[:0]
		last, err := a.feed.AllocationChanges(ctx, a.feedPos, feedPage, func(kind string, pfx netip.Prefix, ip netip.Addr) {
			page = append(page, change{kind, pfx, ip})
		})
		a.mu.Lock()
		for _, c := range page {
			p := a.pools[c.pfx]
			if p == nil {
				continue // not loaded: read from the ledger when first used
			}
			switch c.kind {
			case "allocate":
				p.Mark(c.ip)
			case "release", "gc":
				p.Release(c.ip)
			}
		}
		a.mu.Unlock()
		for _, c := range page {
			t, s := topologyEvent(c.kind)
			topology, a.resyncDue = topology || t, a.resyncDue || s
		}
		a.feedPos = last
		if err != nil {
			return fmt.Errorf("follow the ledger: %w", err)
		}
		if len(page) < feedPage {
			break
		}
	}
	if a.resyncDue { // stays due until it succeeds: the events are behind the feed's position
		if err := a.resync(ctx); err != nil {
			return err
		}
		a.resyncDue = false
	}
	return nil
}

// resync rebuilds, from the ledger, every pool whose subnet's gateway or
// excludes changed. The caller holds feedMu.
func (a *Allocator) resync(ctx context.Context) error {
	defs, err := a.feed.SubnetDefinitions(ctx)
	if err != nil {
		return fmt.Errorf("follow the ledger: %w", err)
	}
	var stale []topo.Subnet
	a.mu.Lock()
	for _, s := range defs {
		if p := a.pools[s.CIDR]; p != nil && !definedBy(p, s) {
			stale = append(stale, s)
		}
	}
	a.mu.Unlock()
	if len(stale) == 0 {
		return nil
	}
	if err := a.LoadAll(ctx, stale); err != nil {
		return fmt.Errorf("follow the ledger: rebuild %d pool(s) the topology changed: %w", len(stale), err)
	}
	return nil
}

// following reports whether the allocator reads a change feed (Follow).
func (a *Allocator) following() bool {
	a.feedMu.Lock()
	defer a.feedMu.Unlock()
	return a.feed != nil
}

// FeedPosition gives the ID of the last event applied from the feed.
func (a *Allocator) FeedPosition() int64 {
	a.feedMu.Lock()
	defer a.feedMu.Unlock()
	return a.feedPos
}

// rebuild replaces the pools of groups' subnets with ones read afresh from
// the ledger: before a long-lived allocator answers "exhausted", what
// others released may not have reached it yet. With a feed, the feed
// stays where it was during the read, so that the next catch-up applies
// whatever was written since (see the top of this file).
func (a *Allocator) rebuild(ctx context.Context, groups []group) error {
	var subnets []topo.Subnet
	for _, g := range groups {
		subnets = append(subnets, g.subnets...)
	}
	a.feedMu.Lock()
	defer a.feedMu.Unlock()
	return a.LoadAll(ctx, subnets)
}
