package alloc

import (
	"context"
	"fmt"
	"net/netip"
	"slices"

	"github.com/netipam/netipam/topo"
)

// A one-shot allocator (a CLI call, a CNI ADD) makes one request and exits,
// so rebuilding a pool from every held address of a subnet would cost it in
// proportion to the subnet's use. Its pools are partial instead: a pool
// knows which stretches of its subnet it has read from the ledger, and a
// candidate outside them is checked by reading the stretch from the
// candidate on (windowRows held addresses at most, from the subnet's index)
// before it is proposed. With the round-robin cursor the stretch after the
// cursor is mostly free, so one short read usually settles a candidate,
// whatever the subnet holds. The database still decides every allocation.

// windowRows bounds one read of held addresses.
const windowRows = 256

// stretches are the sorted, disjoint, merged offset spans a partial pool
// has read.
type stretches []span

func (s stretches) has(off uint64) bool {
	i, _ := slices.BinarySearchFunc(s, off, func(x span, off uint64) int {
		switch {
		case x.hi < off:
			return -1
		case x.lo > off:
			return 1
		}
		return 0
	})
	return i < len(s) && s[i].lo <= off && off <= s[i].hi
}

func (s stretches) add(lo, hi uint64) stretches {
	return stretches(mergeSpans(append(s, span{lo, hi})))
}

// partial makes the pool one that knows only what it has read (Learn).
func (p *Pool) partial() { p.known = stretches{} }

// Known reports whether the pool has read the ledger's state of a: always
// for a pool rebuilt in full.
func (p *Pool) Known(a netip.Addr) bool {
	if p.known == nil {
		return true
	}
	off, ok := p.offset(a)
	return ok && p.known.has(off)
}

// Learn records a read of the ledger from the address from on: held are
// the allocated addresses it found, in order; complete says the read
// reached the end of the subnet (it found fewer than it asked for).
func (p *Pool) Learn(from netip.Addr, held []netip.Addr, complete bool) {
	lo, ok := p.offset(from)
	if !ok || p.known == nil {
		return
	}
	hi := p.last
	if !complete && len(held) > 0 {
		if off, ok := p.offset(held[len(held)-1]); ok {
			hi = off
		}
	}
	for _, a := range held {
		p.Mark(a)
	}
	p.known = p.known.add(lo, hi)
}

// Counted sets how many addresses the ledger holds in the pool's subnet,
// so that a partial pool's Used, Ratio and Full (what Least chooses by)
// count what it has not read yet.
func (p *Pool) Counted(n uint64) {
	if n > p.used {
		p.unseen = n - p.used
	}
}

// Complete makes a partial pool one rebuilt in full: everything held is
// marked.
func (p *Pool) Complete() {
	p.known = nil
	p.unseen = 0
}

// maxReads bounds the windows one pick may read: a subnet of 2^24
// addresses, full, in windows of windowRows.
const maxReads = 1 << 16

// pickKnown proposes candidates (pick) that the pools know the ledger's
// state of. A partial pool's candidate it has not read is withdrawn, the
// stretch from it on is read, and the pick is made again: never more
// reads than maxReads, and never past ctx.
func (a *Allocator) pickKnown(ctx context.Context, req Request, tor string, groups []group, use []topo.SubnetUse) ([]topo.Allocation, error) {
	for range maxReads {
		picks, err := a.pick(req, tor, groups, use)
		if err != nil {
			return nil, err
		}
		unread := a.unread(req, picks)
		if len(unread) == 0 {
			return picks, nil
		}
		for _, u := range unread {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("allocate on %s: %w", tor, err)
			}
			held, err := a.ledger.HeldFrom(ctx, u.Subnet, u.Address, windowRows)
			if err != nil {
				return nil, err
			}
			a.mu.Lock()
			a.pools[u.Subnet].Learn(u.Address, held, len(held) < windowRows)
			a.mu.Unlock()
		}
	}
	return nil, topo.Errorf(topo.ErrUnavailable, "allocate on %s: no known free address after %d reads", tor, maxReads)
}

// unread withdraws picks when any of them is one its pool has not read,
// and returns those. The cursor of a withdrawn candidate goes back to just
// before it, so that the next pick finds it (or what follows) again.
func (a *Allocator) unread(req Request, picks []topo.Allocation) []topo.Allocation {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []topo.Allocation
	for _, x := range picks {
		if !a.pools[x.Subnet].Known(x.Address) {
			out = append(out, x)
		}
	}
	if len(out) == 0 {
		return nil
	}
	a.forgetLocked(picks)
	for _, x := range slices.Backward(picks) { // the first pick of a pool sets its cursor last
		if !slices.Contains(req.IPs, x.Address) {
			a.pools[x.Subnet].SetCursor(x.Address.Prev())
		}
	}
	return out
}
