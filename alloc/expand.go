package alloc

import (
	"fmt"
	"net/netip"
	"time"

	"go4.org/netipx"

	"github.com/netipam/netipam/topo"
)

// Expansion planning: when a TOR's subnets of one purpose and family run
// low, which block of its pod it claims next. Pure functions over what the
// store read (ExpansionInput); the claim itself is the store's one
// conditional INSERT.

// Reasons an expansion is made.
const (
	ReasonThreshold    = "threshold"
	ReasonMinAvailable = "min_available"
	ReasonManual       = "manual"
)

// Rules that choose a block, best first: the buddy of a block (or of an
// aggregate of blocks) the TOR has, so that together they form one shorter
// prefix; a block adjacent to one; any free block of the pod, lowest
// address first.
const (
	ChoiceBuddy    = "buddy"
	ChoiceAdjacent = "adjacent"
	ChoiceAny      = "any"
)

// BlockUse is one of the TOR's subnets and how many of its addresses are
// held.
type BlockUse struct {
	Subnet topo.Subnet
	Used   int64
}

// ExpansionInput is what planning one expansion reads.
type ExpansionInput struct {
	TOR     string
	Pod     string
	Purpose topo.Purpose
	Family  topo.Family
	// PodPrefixes are the pod's prefixes of the family: nothing is ever
	// carved outside them.
	PodPrefixes []netip.Prefix
	// Taken are the subnets (of any TOR, level or purpose) that overlap
	// the pod's prefixes.
	Taken []netip.Prefix
	// Blocks are the TOR's subnets of the purpose and family.
	Blocks []BlockUse
	// MinAvailable is the largest min_available of the TOR's nodes for
	// the purpose.
	MinAvailable int64
	// Recent allocations of the blocks within Window, the recent past.
	Recent int64
	Window time.Duration
	Rule   topo.ExpansionRule
	Manual bool
}

// ExpansionPlan is the decision: whether the TOR needs a block, why, and
// which.
type ExpansionPlan struct {
	TOR      string       `json:"tor"`
	Pod      string       `json:"pod"`
	Purpose  topo.Purpose `json:"purpose"`
	Family   int          `json:"family"`
	Used     uint64       `json:"used"`
	Capacity uint64       `json:"capacity"`
	Ratio    float64      `json:"ratio"`
	// Threshold and MinAvailable are what the need was measured against.
	Threshold    float64 `json:"threshold"`
	MinAvailable int64   `json:"min_available,omitempty"`
	// Need: the TOR needs a block; Reason says why.
	Need   bool   `json:"need"`
	Reason string `json:"reason,omitempty"`
	// Block is the chosen block (invalid when none); Choice the rule that
	// chose it.
	Block  netip.Prefix `json:"block,omitzero"`
	Choice string       `json:"choice,omitempty"`
	// Blocked says why a needed block cannot be had (the pod is full, the
	// TOR has max_subnets_per_tor blocks); empty otherwise.
	Blocked string `json:"blocked,omitempty"`
	// Seen is the number of blocks the plan saw: the claim is made only if
	// the TOR still has exactly that many.
	Seen int `json:"seen"`
	// Aggregates is the number of prefixes the TOR's blocks aggregate to,
	// with the new block when there is one.
	Aggregates int `json:"aggregates"`
}

// Detail is the plan in one line, for the ledger and for people.
func (p ExpansionPlan) Detail() string {
	use := fmt.Sprintf("usage %d/%d (%.2f, threshold %.2f)", p.Used, p.Capacity, p.Ratio, p.Threshold)
	switch {
	case !p.Need:
		return "not needed: " + use
	case p.Blocked != "":
		return fmt.Sprintf("blocked: %s; reason %s, %s", p.Blocked, p.Reason, use)
	default:
		return fmt.Sprintf("reason %s, %s; block %s (%s)", p.Reason, use, p.Block, p.Choice)
	}
}

// PlanExpansion decides whether the TOR needs a block and which. It never
// chooses a block outside the pod's prefixes or overlapping a taken one.
func PlanExpansion(in ExpansionInput) (ExpansionPlan, error) {
	p := ExpansionPlan{TOR: in.TOR, Pod: in.Pod, Purpose: in.Purpose, Family: int(in.Family),
		Threshold: in.Rule.Threshold, MinAvailable: in.MinAvailable, Seen: len(in.Blocks)}
	var mine netipx.IPSetBuilder
	smallest := 0 // the longest prefix among the blocks
	for _, b := range in.Blocks {
		c, err := Capacity(b.Subnet)
		if err != nil {
			return p, fmt.Errorf("capacity of %s: %w", b.Subnet.CIDR, err)
		}
		p.Capacity = satAdd(p.Capacity, c)
		p.Used += uint64(max(b.Used, 0))
		mine.AddPrefix(b.Subnet.CIDR)
		smallest = max(smallest, b.Subnet.CIDR.Bits())
	}
	if p.Capacity > 0 {
		p.Ratio = float64(p.Used) / float64(p.Capacity)
	}
	free := satSub(p.Capacity, p.Used)
	switch {
	case in.Manual:
		p.Need, p.Reason = true, ReasonManual
	case len(in.Blocks) > 0 && p.Ratio >= in.Rule.Threshold:
		p.Need, p.Reason = true, ReasonThreshold
	case len(in.Blocks) > 0 && in.MinAvailable > 0 && free < uint64(in.MinAvailable):
		p.Need, p.Reason = true, ReasonMinAvailable
	}
	mineSet, err := mine.IPSet()
	if err != nil {
		return p, fmt.Errorf("blocks of %s: %w", in.TOR, err)
	}
	aggs := mineSet.Prefixes()
	p.Aggregates = len(aggs)
	if !p.Need {
		return p, nil
	}
	// The size: the configured one; else that of the TOR's block, the
	// largest prefix its blocks aggregate to (so that its buddy doubles
	// it), or, when the pod has no room for that, down to its smallest
	// block.
	bits, floor := in.Rule.PrefixLength(in.Family), in.Rule.PrefixLength(in.Family)
	if bits == 0 && len(aggs) > 0 {
		bits, floor = 128, smallest
		for _, a := range aggs {
			bits = min(bits, a.Bits())
		}
	}
	switch {
	case bits == 0:
		p.Blocked = fmt.Sprintf("TOR %s has no %s IPv%d block to size a new one by: set expansion.prefix_length.ipv%d or add a subnet",
			in.TOR, in.Purpose, in.Family, in.Family)
		return p, nil
	case len(in.PodPrefixes) == 0:
		p.Blocked = fmt.Sprintf("TOR %s has no pod IPv%d prefix to expand in: give pod %s one", in.TOR, in.Family, in.Pod)
		return p, nil
	case in.Rule.MaxSubnetsPerTOR > 0 && len(in.Blocks) >= in.Rule.MaxSubnetsPerTOR:
		p.Blocked = fmt.Sprintf("TOR %s holds %d %s IPv%d blocks, max_subnets_per_tor is %d: raise it or add a larger subnet",
			in.TOR, len(in.Blocks), in.Purpose, in.Family, in.Rule.MaxSubnetsPerTOR)
		return p, nil
	}
	freeSet, err := freeSpace(in.PodPrefixes, in.Taken)
	if err != nil {
		return p, err
	}
	grown := bits
	if in.Rule.PrefixLength(in.Family) == 0 {
		grown = grownBits(bits, in) // a configured size is the operator's: never grown
	}
	p.Block, p.Choice = chooseBlock(mineSet, freeSet, grown, floor)
	if !p.Block.IsValid() {
		p.Blocked = fmt.Sprintf("pod %s has no free /%d for TOR %s: widen the pod's prefix or reclaim empty blocks (netipam subnet reclaim)",
			in.Pod, floor, in.TOR)
		return p, nil
	}
	mine.AddPrefix(p.Block)
	if s, err := mine.IPSet(); err == nil {
		p.Aggregates = len(s.Prefixes())
	}
	return p, nil
}

// grownBits makes the block larger (a shorter prefix, at most 4 bits and
// never past the pod) while the recent allocation rate would fill it within
// the horizon.
func grownBits(bits int, in ExpansionInput) int {
	if in.Recent <= 0 || in.Window <= 0 || in.Rule.Horizon <= 0 {
		return bits
	}
	expected := float64(in.Recent) * float64(in.Rule.Horizon) / float64(in.Window)
	shortest := 128
	for _, pp := range in.PodPrefixes {
		shortest = min(shortest, pp.Bits())
	}
	addrBits := 32
	if in.Family == topo.IPv6 {
		addrBits = 128
	}
	for n := 0; n < 4 && bits > shortest && addrBits-bits < 62 && float64(uint64(1)<<(addrBits-bits)) < expected; n++ {
		bits--
	}
	return bits
}

// freeSpace is the pod's prefixes less every taken subnet.
func freeSpace(pod, taken []netip.Prefix) (*netipx.IPSet, error) {
	var b netipx.IPSetBuilder
	for _, p := range pod {
		b.AddPrefix(p.Masked())
	}
	for _, t := range taken {
		b.RemovePrefix(t.Masked())
	}
	s, err := b.IPSet()
	if err != nil {
		return nil, fmt.Errorf("free space of the pod: %w", err)
	}
	return s, nil
}

// chooseBlock picks a free block: the largest size from shortest to
// longest bits that the pod can give (the size is decided first), and of
// that size the buddy of one of the TOR's aggregates, else a block adjacent
// to one, else the pod's lowest free block.
func chooseBlock(mine, free *netipx.IPSet, shortest, longest int) (netip.Prefix, string) {
	aggs := mine.Prefixes()
	for bits := shortest; bits <= longest; bits++ {
		if b, choice := chooseOfSize(aggs, free, bits); b.IsValid() {
			return b, choice
		}
	}
	return netip.Prefix{}, ""
}

// chooseOfSize picks a free /bits block by the rules, or none.
func chooseOfSize(aggs []netip.Prefix, free *netipx.IPSet, bits int) (netip.Prefix, string) {
	for _, a := range aggs {
		if a.Bits() == bits && bits > 0 {
			if b := buddy(a); free.ContainsPrefix(b) {
				return b, ChoiceBuddy
			}
		}
	}
	for _, a := range aggs {
		r := netipx.RangeOfPrefix(a)
		if next := r.To().Next(); next.IsValid() {
			if c := netip.PrefixFrom(next, bits).Masked(); c.Addr() == next && free.ContainsPrefix(c) {
				return c, ChoiceAdjacent
			}
		}
		if prev := r.From().Prev(); prev.IsValid() {
			c := netip.PrefixFrom(prev, bits).Masked()
			if netipx.PrefixLastIP(c) == prev && free.ContainsPrefix(c) {
				return c, ChoiceAdjacent
			}
		}
	}
	for _, f := range free.Prefixes() {
		if f.Bits() <= bits {
			return netip.PrefixFrom(f.Addr(), bits), ChoiceAny
		}
	}
	return netip.Prefix{}, ""
}

// buddy gives the other half of a's parent prefix.
func buddy(a netip.Prefix) netip.Prefix {
	parent := netip.PrefixFrom(a.Addr(), a.Bits()-1).Masked()
	if parent.Addr() == a.Addr() {
		return netip.PrefixFrom(netipx.PrefixLastIP(parent), a.Bits()).Masked()
	}
	return netip.PrefixFrom(parent.Addr(), a.Bits())
}

func satAdd(a, b uint64) uint64 {
	if a+b < a {
		return ^uint64(0)
	}
	return a + b
}

func satSub(a, b uint64) uint64 {
	if b > a {
		return 0
	}
	return a - b
}
