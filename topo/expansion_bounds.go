package topo

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
)

// The prefix lengths a subnet may have (validator.subnet): an IPv4 subnet
// is /30 or larger, an IPv6 subnet /64 to /126. A new block's length
// (expansion.prefix_length) is bounded by the same rule, and an IPv4 block
// is no larger than /8.
const (
	MinBlockBits4  = 8
	MaxSubnetBits4 = 30
	MinSubnetBits6 = 64
	MaxSubnetBits6 = 126
)

// MaxSubnetsPerTORLimit bounds expansion.max_subnets_per_tor.
const MaxSubnetsPerTORLimit = 4096

// prefixLengthProblem says why n cannot size a new block of family f, or "".
func prefixLengthProblem(f Family, n int) string {
	if f == IPv6 {
		if n < MinSubnetBits6 || n > MaxSubnetBits6 {
			return fmt.Sprintf("prefix length %d: write a whole number from %d to %d (an IPv6 subnet must be /%d to /%d)",
				n, MinSubnetBits6, MaxSubnetBits6, MinSubnetBits6, MaxSubnetBits6)
		}
		return ""
	}
	if n < MinBlockBits4 || n > MaxSubnetBits4 {
		return fmt.Sprintf("prefix length %d: write a whole number from %d to %d (an IPv4 subnet must be /%d or larger)",
			n, MinBlockBits4, MaxSubnetBits4, MaxSubnetBits4)
	}
	return ""
}

// thresholdOK reports a usable threshold: a ratio in (0, 1].
func thresholdOK(t float64) bool { return t > 0 && t <= 1 }

// SettingProblem is one stored expansion setting out of its bounds: the
// field as the topology file names it, and what is wrong.
type SettingProblem struct {
	Field   string
	Message string
}

func (p SettingProblem) String() string { return p.Field + ": " + p.Message }

// Checked checks stored settings (written by an older netipam or by hand
// in SQL) against the bounds topo import enforces. It returns a copy with
// every field out of bounds cleared, so that its default (or the global
// rule) applies, and one problem per such field. Nil gives nil.
func (e *Expansion) Checked() (*Expansion, []SettingProblem) {
	if e == nil {
		return nil, nil
	}
	var ps []SettingProblem
	out := *e
	out.ExpansionRule = checkRule("expansion", e.ExpansionRule, &ps)
	if e.ReclaimGrace < 0 || e.ReclaimGrace > MaxDuration {
		ps = append(ps, SettingProblem{"expansion.reclaim_grace", fmt.Sprintf("duration %s: %s", FormatDuration(e.ReclaimGrace), durationHint)})
		out.ReclaimGrace = 0
	}
	if e.Purposes != nil {
		out.Purposes = make(map[Purpose]ExpansionRule, len(e.Purposes))
		for _, p := range slices.Sorted(maps.Keys(e.Purposes)) {
			f := "expansion.purposes." + fieldKey(p)
			if !purposePattern().MatchString(p) {
				ps = append(ps, SettingProblem{f, fmt.Sprintf("purpose %s: use lower-case letters, digits, - and _ (at most 32, starting with a letter)", Quote(p))})
				continue
			}
			out.Purposes[p] = checkRule(f, e.Purposes[p], &ps)
		}
	}
	return &out, ps
}

// checkRule clears the fields of r out of bounds (zero inherits) and adds a
// problem for each.
func checkRule(field string, r ExpansionRule, ps *[]SettingProblem) ExpansionRule {
	bad := func(f, format string, a ...any) {
		*ps = append(*ps, SettingProblem{field + "." + f, fmt.Sprintf(format, a...)})
	}
	if r.Threshold != 0 && !thresholdOK(r.Threshold) {
		bad("threshold", "threshold %g: write a ratio above 0 and at most 1, such as 0.8", r.Threshold)
		r.Threshold = 0
	}
	if r.PrefixLength4 != 0 {
		if msg := prefixLengthProblem(IPv4, r.PrefixLength4); msg != "" {
			bad("prefix_length.ipv4", "%s", msg)
			r.PrefixLength4 = 0
		}
	}
	if r.PrefixLength6 != 0 {
		if msg := prefixLengthProblem(IPv6, r.PrefixLength6); msg != "" {
			bad("prefix_length.ipv6", "%s", msg)
			r.PrefixLength6 = 0
		}
	}
	if r.MaxSubnetsPerTOR < 0 || r.MaxSubnetsPerTOR > MaxSubnetsPerTORLimit {
		bad("max_subnets_per_tor", "%d: write a whole number from 1 to %d", r.MaxSubnetsPerTOR, MaxSubnetsPerTORLimit)
		r.MaxSubnetsPerTOR = 0
	}
	if r.Horizon < 0 || r.Horizon > MaxDuration {
		bad("horizon", "duration %s: %s", FormatDuration(r.Horizon), durationHint)
		r.Horizon = 0
	}
	return r
}

// SubnetLengthProblem says why no subnet may have p's prefix length, or
// "": what check reports of a stored subnet (written by SQL or an older
// build) that no pool accepts.
func SubnetLengthProblem(p netip.Prefix) string {
	n := p.Bits()
	if p.Addr().Is4() {
		if n > MaxSubnetBits4 {
			return fmt.Sprintf("an IPv4 subnet must be /%d or larger, not /%d", MaxSubnetBits4, n)
		}
		return ""
	}
	if n < MinSubnetBits6 || n > MaxSubnetBits6 {
		return fmt.Sprintf("an IPv6 subnet must be /%d to /%d, not /%d", MinSubnetBits6, MaxSubnetBits6, n)
	}
	return ""
}
