package topo

import (
	"fmt"
	"net/netip"
	"sort"
)

// poolSubnets checks a pod's or zone's own subnets with the rules of a
// TOR's (purpose, size, gateway, excludes), each inside the owner's
// prefixes of its family, and returns their spans for the topology-wide
// overlap check.
func (v *validator) poolSubnets(base, owner string, subnets []Subnet, prefixes []netip.Prefix) []span {
	var out []span
	for i, s := range subnets {
		sf := fmt.Sprintf("%s.subnets[%d]", base, i)
		if sp, ok := v.subnet(sf, owner, s); ok {
			v.inside(sp, owner, prefixes)
			out = append(out, sp)
		}
	}
	return out
}

// strategies checks the per-purpose level pins: a purpose name as a
// subnet's, a known level (the decoder refuses others).
func (v *validator) strategies(st map[Purpose]Level) {
	purposes := make([]string, 0, len(st))
	for p := range st {
		purposes = append(purposes, p)
	}
	sort.Strings(purposes)
	for _, p := range purposes {
		f := "strategies." + fieldKey(p)
		if !purposePattern().MatchString(p) {
			v.add(f, "invalid purpose %s: use lower case letters, digits, '_' and '-', starting with a letter, at most 32 characters", Quote(p))
		}
		if _, err := ParseLevel(string(st[p])); err != nil {
			v.add(f, "%v", err)
		}
	}
}
