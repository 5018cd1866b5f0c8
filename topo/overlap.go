package topo

import (
	"net/netip"
	"slices"
)

// span is one declared prefix and where it was declared.
type span struct {
	p     netip.Prefix
	field string
	owner string // "zone zone-a", "tor tor-1"
}

// disjoint reports every prefix that overlaps one declared before it.
// Prefixes are either nested or disjoint, so after sorting by first
// address each prefix overlaps something exactly when it overlaps the
// prefix reaching furthest so far: O(n log n), not pairwise.
func (v *validator) disjoint(spans []span, what string) {
	order := make(map[string]int, len(spans))
	for i, s := range spans {
		order[s.field] = i
	}
	sorted := slices.Clone(spans)
	slices.SortStableFunc(sorted, func(a, b span) int {
		if c := a.p.Addr().Compare(b.p.Addr()); c != 0 {
			return c
		}
		return a.p.Bits() - b.p.Bits()
	})
	var open span
	for i, s := range sorted {
		if i > 0 && open.p.Overlaps(s.p) {
			first, later := open, s
			if order[later.field] < order[first.field] {
				first, later = later, first
			}
			if first.p == later.p {
				v.add(later.field, "duplicate: %s is already declared by %s at %s; %s", later.p, first.owner, v.ref(first.field), what)
			} else {
				v.add(later.field, "%s overlaps %s of %s at %s; %s", later.p, first.p, first.owner, v.ref(first.field), what)
			}
		}
		if i == 0 || lastAddr(s.p).Compare(lastAddr(open.p)) > 0 {
			open = s
		}
	}
}
