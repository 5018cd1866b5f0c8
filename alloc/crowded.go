package alloc

import (
	"fmt"
	"net/netip"
	"sort"

	"go4.org/netipx"

	"github.com/netipam/netipam/topo"
)

// DefaultThreshold is the usage ratio past which a TOR's purpose needs
// another block (DESIGN.md, subnet expansion).
const DefaultThreshold = 0.8

// Crowded is a TOR whose subnets of one purpose and family are past the
// expansion threshold while its pod has no free block left for them.
type Crowded struct {
	TOR, Pod, Purpose string
	Family            topo.Family
	Used              uint64
	Capacity          AddrCount
	Ratio             float64
	// Bits is the prefix length of the block looked for: the TOR's
	// smallest subnet of that purpose and family.
	Bits int
}

// CrowdedTORs gives the TORs (of a pod) past threshold for a purpose and
// family whose pod has no free block the size of their smallest subnet of
// it: a pod prefix of the family, less every subnet inside it. Virtual
// TORs and pods that declare no prefix of the family are not judged.
// Linear in the rows: one set per pod and family judged.
func CrowdedTORs(rows []SubnetUse, podCIDRs map[string][]netip.Prefix, threshold float64) ([]Crowded, error) {
	type key struct {
		tor, purpose string
		fam          topo.Family
	}
	groups := map[key]*Crowded{}
	var order []key
	taken := map[string][]netip.Prefix{} // pod -> its subnets
	for _, r := range rows {
		if r.Pod == "" {
			continue
		}
		taken[r.Pod] = append(taken[r.Pod], r.Subnet.CIDR)
		capacity, err := Capacity(r.Subnet)
		if err != nil {
			return nil, fmt.Errorf("capacity of %s: %w", r.Subnet.CIDR, err)
		}
		k := key{r.TOR, r.Subnet.Purpose, topo.FamilyOfPrefix(r.Subnet.CIDR)}
		g := groups[k]
		if g == nil {
			g = &Crowded{TOR: r.TOR, Pod: r.Pod, Purpose: k.purpose, Family: k.fam}
			groups[k] = g
			order = append(order, k)
		}
		g.Used += uint64(max(r.Used, 0))
		g.Capacity = g.Capacity.Add(capacity)
		g.Bits = max(g.Bits, r.Subnet.CIDR.Bits())
	}
	free := map[string]*netipx.IPSet{} // pod/family -> its free space
	var out []Crowded
	for _, k := range order {
		g := groups[k]
		if g.Capacity.IsZero() {
			continue
		}
		g.Ratio = float64(g.Used) / g.Capacity.Float()
		if g.Ratio < threshold {
			continue
		}
		fk := fmt.Sprintf("%s/%d", g.Pod, g.Family)
		set, ok := free[fk]
		if !ok {
			var err error
			if set, err = podFree(g.Family, podCIDRs[g.Pod], taken[g.Pod]); err != nil {
				return nil, fmt.Errorf("free space of pod %s: %w", g.Pod, err)
			}
			free[fk] = set
		}
		if set == nil {
			continue // the pod declares no prefix of the family
		}
		if _, _, ok := set.RemoveFreePrefix(uint8(g.Bits)); ok {
			continue
		}
		out = append(out, *g)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].TOR != out[j].TOR {
			return out[i].TOR < out[j].TOR
		}
		if out[i].Purpose != out[j].Purpose {
			return out[i].Purpose < out[j].Purpose
		}
		return out[i].Family < out[j].Family
	})
	return out, nil
}

// podFree is a pod's prefixes of a family less its subnets, or nil when
// the pod declares none of the family.
func podFree(fam topo.Family, cidrs, subnets []netip.Prefix) (*netipx.IPSet, error) {
	var b netipx.IPSetBuilder
	declared := false
	for _, c := range cidrs {
		if topo.FamilyOfPrefix(c) == fam {
			b.AddPrefix(c)
			declared = true
		}
	}
	if !declared {
		return nil, nil
	}
	for _, p := range subnets {
		b.RemovePrefix(p)
	}
	return b.IPSet()
}
