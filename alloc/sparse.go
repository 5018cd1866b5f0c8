package alloc

import "sort"

// span is an inclusive range of offsets [lo, hi].
type span struct{ lo, hi uint64 }

// Sparse is a set of offsets in [0, Last()] for ranges too large for a
// Bitmap (an IPv6 /64 has 2^64 offsets): the held offsets are kept in a map
// and the reserved offsets as sorted, disjoint ranges. Set, Clear, Test and
// NextClear do not allocate once the map has grown to its working size.
// A Sparse is not safe for concurrent use.
type Sparse struct {
	held     map[uint64]struct{}
	reserved []span // sorted by lo, disjoint, not adjacent
	last     uint64
}

// NewSparse returns an empty Sparse over offsets [0, last] (last is the
// highest offset, so that the 2^64 offsets of a /64 can be described).
func NewSparse(last uint64) *Sparse {
	return &Sparse{held: make(map[uint64]struct{}), last: last}
}

// Last returns the highest offset of the set.
func (s *Sparse) Last() uint64 { return s.last }

// Count returns the number of held offsets (reserved offsets not included).
func (s *Sparse) Count() uint64 { return uint64(len(s.held)) }

// Reserve marks the offsets [lo, hi] (clamped to [0, Last()]) as never to be
// returned by NextClear. Held offsets inside the range are dropped. Reserve
// is meant for construction time; it allocates.
func (s *Sparse) Reserve(lo, hi uint64) {
	if lo > hi || lo > s.last {
		return
	}
	hi = min(hi, s.last)
	for k := range s.held {
		if k >= lo && k <= hi {
			delete(s.held, k)
		}
	}
	s.reserved = mergeSpans(append(s.reserved, span{lo, hi}))
}

// Reserved reports whether offset i lies in a reserved range.
func (s *Sparse) Reserved(i uint64) bool {
	_, ok := spanAt(s.reserved, i)
	return ok
}

// Set marks offset i held. Offsets outside [0, Last()] and reserved offsets
// are ignored.
func (s *Sparse) Set(i uint64) {
	if i > s.last || s.Reserved(i) {
		return
	}
	s.held[i] = struct{}{}
}

// Clear releases offset i; clearing an offset that is not held is a no-op.
func (s *Sparse) Clear(i uint64) { delete(s.held, i) }

// Test reports whether offset i is held or reserved.
func (s *Sparse) Test(i uint64) bool {
	if i > s.last {
		return false
	}
	if _, ok := s.held[i]; ok {
		return true
	}
	return s.Reserved(i)
}

// NextClear returns the first offset at or after from that is neither held
// nor reserved, wrapping around to 0; a from past Last() starts at 0. It
// returns false when there is none. The work is bounded by the number of held
// offsets and reserved ranges it has to step over, never by the size of the
// range.
func (s *Sparse) NextClear(from uint64) (uint64, bool) {
	return s.walk(from, func(x uint64) bool { _, held := s.held[x]; return !held })
}

// take finds the offset NextClear(from) would return and holds it, with one
// map operation per held offset stepped over instead of a lookup and an
// insert.
func (s *Sparse) take(from uint64) (uint64, bool) {
	return s.walk(from, func(x uint64) bool {
		n := len(s.held)
		s.held[x] = struct{}{}
		return len(s.held) > n
	})
}

// walk visits the unreserved offsets from from on, wrapping around to 0
// once, until accept says yes.
func (s *Sparse) walk(from uint64, accept func(x uint64) bool) (uint64, bool) {
	if from > s.last {
		from = 0
	}
	x, wrapped := from, false
	for {
		if wrapped && x >= from {
			return 0, false
		}
		if r, ok := spanAt(s.reserved, x); ok {
			if r.hi == s.last {
				if wrapped {
					return 0, false
				}
				x, wrapped = 0, true
			} else {
				x = r.hi + 1
			}
			continue
		}
		if accept(x) {
			return x, true
		}
		if x == s.last {
			if wrapped {
				return 0, false
			}
			x, wrapped = 0, true
		} else {
			x++
		}
	}
}

// spanAt returns the span of sorted, disjoint spans that contains x.
func spanAt(spans []span, x uint64) (span, bool) {
	// Binary search for the last span with lo <= x.
	lo, hi := 0, len(spans)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if spans[m].lo <= x {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo == 0 || spans[lo-1].hi < x {
		return span{}, false
	}
	return spans[lo-1], true
}

// mergeSpans sorts spans and merges overlapping and adjacent ones, in place.
func mergeSpans(spans []span) []span {
	if len(spans) < 2 {
		return spans
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].lo < spans[j].lo })
	out := spans[:1]
	for _, r := range spans[1:] {
		p := &out[len(out)-1]
		if p.hi == ^uint64(0) || r.lo <= p.hi+1 {
			p.hi = max(p.hi, r.hi)
			continue
		}
		out = append(out, r)
	}
	return out
}
