package alloc

import (
	"net/netip"
	"slices"
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
