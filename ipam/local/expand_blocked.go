package local

import (
	"context"
	"fmt"
	"sort"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

// Blocked is a TOR whose subnets of a purpose and family need a block
// (past the threshold, or below a node's min_available) that its pod
// cannot give, or that max_subnets_per_tor forbids.
type Blocked struct {
	TOR      string       `json:"tor"`
	Pod      string       `json:"pod"`
	Purpose  topo.Purpose `json:"purpose"`
	Family   int          `json:"family"`
	Used     uint64       `json:"used"`
	Capacity uint64       `json:"capacity"`
	Ratio    float64      `json:"ratio"`
	Reason   string       `json:"reason"`
	// Why says what stops the expansion and what to do.
	Why string `json:"why"`
}

// ExpansionBlocked lists every TOR, purpose and family that needs a block
// it cannot have, ordered by TOR, purpose and family: what `netipam check`
// and the ipam_expansion_blocked metric report as soon as the threshold is
// reached, before the TOR runs dry. It reads every subnet's use and every
// node once, and plans (reading that TOR's pod) only where a block is
// needed.
func ExpansionBlocked(ctx context.Context, st *store.Store) ([]Blocked, error) {
	rows, err := st.Subnets(ctx, topo.SubnetFilter{})
	if err != nil {
		return nil, err
	}
	nodes, err := st.Nodes(ctx, store.NodeFilter{})
	if err != nil {
		return nil, err
	}
	settings, err := st.Expansion(ctx)
	if err != nil {
		return nil, err
	}
	minAvail := map[ExpandGroup]int64{} // family left zero: per TOR and purpose
	for _, n := range nodes {
		for _, p := range n.Preferences {
			g := ExpandGroup{tor: n.TOR, purpose: p.Purpose}
			minAvail[g] = max(minAvail[g], int64(p.MinAvailable))
		}
	}
	groups := map[ExpandGroup][]alloc.BlockUse{}
	var order []ExpandGroup
	for _, r := range rows {
		if r.Pod == "" || r.Level.Rank() > 0 {
			continue // a virtual TOR has no pod to grow in; a pod's or zone's pool never grows
		}
		g := ExpandGroup{tor: r.TOR, purpose: r.Purpose, family: topo.FamilyOfPrefix(r.CIDR)}
		if _, ok := groups[g]; !ok {
			order = append(order, g)
		}
		groups[g] = append(groups[g], alloc.BlockUse{Subnet: r.Subnet, Used: r.Used})
	}
	sort.Slice(order, func(i, j int) bool {
		a, b := order[i], order[j]
		if a.tor != b.tor {
			return a.tor < b.tor
		}
		if a.purpose != b.purpose {
			return a.purpose < b.purpose
		}
		return a.family < b.family
	})
	var out []Blocked
	for _, g := range order {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("look for blocked expansions: %w", err)
		}
		quick, err := alloc.PlanExpansion(alloc.ExpansionInput{TOR: g.tor, Purpose: g.purpose, Family: g.family,
			Blocks: groups[g], MinAvailable: minAvail[ExpandGroup{tor: g.tor, purpose: g.purpose}], Rule: settings.Rule(g.purpose)})
		if err != nil {
			return nil, err
		}
		if !quick.Need {
			continue
		}
		plan, err := planExpansion(ctx, st, ExpandRequest{TOR: g.tor, Purpose: g.purpose, Family: g.family}, false)
		if err != nil {
			return nil, err
		}
		if plan.Need && plan.Blocked != "" {
			out = append(out, Blocked{TOR: g.tor, Pod: plan.Pod, Purpose: g.purpose, Family: int(g.family), Used: plan.Used,
				Capacity: plan.Capacity, Ratio: plan.Ratio, Reason: plan.Reason, Why: plan.Blocked})
		}
	}
	return out, nil
}
