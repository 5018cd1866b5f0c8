package topo

import (
	"fmt"
	"net/netip"

	"go4.org/netipx"
)

// Aggregate returns the smallest set of prefixes that covers exactly the
// addresses of ps: adjacent buddies merge (two /26 -> one /25), others
// stay apart. IPv4 prefixes come first, each family in address order.
// Overlapping or duplicate inputs are covered once.
func Aggregate(ps []netip.Prefix) ([]netip.Prefix, error) {
	var b netipx.IPSetBuilder
	for _, p := range ps {
		if !p.IsValid() {
			return nil, fmt.Errorf("aggregate: prefix %q is not valid", p)
		}
		b.AddPrefix(p.Masked())
	}
	set, err := b.IPSet()
	if err != nil {
		return nil, fmt.Errorf("aggregate %d prefixes: %w", len(ps), err)
	}
	return set.Prefixes(), nil
}

// OfFamily keeps the prefixes of one family.
func OfFamily(ps []netip.Prefix, f Family) []netip.Prefix {
	var out []netip.Prefix
	for _, p := range ps {
		if FamilyOfPrefix(p) == f {
			out = append(out, p)
		}
	}
	return out
}
