package local

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

// ExpandRequest asks to grow a TOR's subnets of a purpose and family.
type ExpandRequest struct {
	TOR     string
	Purpose topo.Purpose
	Family  topo.Family
	// Manual: grow whatever the use (netipam subnet expand); otherwise
	// only past the threshold or below min_available.
	Manual bool
	// DryRun plans and claims nothing.
	DryRun bool
}

// ExpandResult is what an expansion did.
type ExpandResult struct {
	alloc.ExpansionPlan
	// Claimed: this call claimed Block.
	Claimed bool `json:"claimed"`
}

// RecentWindow is the recent past whose allocation rate sizes a new block.
const RecentWindow = 24 * time.Hour

// expandAttempts bounds the plans one expansion makes when other processes
// change the TOR's or the pod's subnets between its plan and its claim.
const expandAttempts = 8

// Expand plans the expansion of a TOR's subnets of one purpose and family
// and claims the block, in one atomic conditional INSERT (store.ClaimBlock).
// When another process claims first, it plans again: the need is met (no
// second block), or a block is still needed and claimed. A needed block the
// pod cannot give is recorded in the ledger (at most once a day) and
// returned as an error of kind topo.ErrExhausted naming what to do; the
// plan is returned with it.
func Expand(ctx context.Context, st *store.Store, req ExpandRequest) (ExpandResult, error) {
	for attempt := 0; attempt < expandAttempts; attempt++ {
		if err := ctx.Err(); err != nil {
			return ExpandResult{}, fmt.Errorf("expand %s: %w", req.TOR, err)
		}
		plan, err := planExpansion(ctx, st, req, false)
		if err != nil {
			return ExpandResult{}, err
		}
		res := ExpandResult{ExpansionPlan: plan}
		switch {
		case !plan.Need:
			return res, nil
		case plan.Blocked != "":
			// The plan's reads are not one snapshot (rqlite has no read
			// transaction): a block another process claimed meanwhile can
			// show in the pod and not yet in the TOR. Plan again then,
			// rather than record a pod that is not full for this TOR.
			if n, err := st.BlockCount(ctx, req.TOR, req.Purpose, req.Family); err != nil {
				return res, err
			} else if n != plan.Seen {
				continue
			}
			if !req.DryRun {
				if err := st.ExpansionBlockedEvent(ctx, req.TOR, req.Purpose, fmt.Sprintf("IPv%d: %s", req.Family, plan.Blocked)); err != nil {
					return res, err
				}
			}
			return res, topo.Errorf(topo.ErrExhausted, "expand %s (%s, IPv%d): %s", req.TOR, req.Purpose, req.Family, plan.Blocked)
		case req.DryRun:
			return res, nil
		}
		ok, err := st.ClaimBlock(ctx, store.Claim{TOR: req.TOR, Purpose: req.Purpose, Block: plan.Block, Seen: plan.Seen,
			Detail: plan.Detail()})
		switch {
		case err == nil && ok:
			res.Claimed = true
			return res, nil
		case err != nil && !errors.Is(err, topo.ErrConflict):
			return res, err
		case err == nil && req.Manual:
			return res, topo.Errorf(topo.ErrConflict, "expand %s (%s, IPv%d): its subnets changed while planning: look at `netipam subnet list --tor %s` and run again if a block is still wanted",
				req.TOR, req.Purpose, req.Family, req.TOR)
		}
		// Another process changed the TOR's blocks, or claimed the block
		// for another TOR: plan again.
	}
	return ExpandResult{}, topo.Errorf(topo.ErrUnavailable, "expand %s (%s, IPv%d): %d plans lost to concurrent changes: try again",
		req.TOR, req.Purpose, req.Family, expandAttempts)
}

// planExpansion reads the store and plans; needOnly reads only what tells
// the need (the plan then has no block).
func planExpansion(ctx context.Context, st *store.Store, req ExpandRequest, needOnly bool) (alloc.ExpansionPlan, error) {
	q := store.ExpansionQuery{TOR: req.TOR, Purpose: req.Purpose, Family: req.Family, NeedOnly: needOnly}
	if !needOnly {
		q.Since = st.Now().Add(-RecentWindow)
	}
	v, err := st.ExpansionView(ctx, q)
	if err != nil {
		return alloc.ExpansionPlan{}, err
	}
	in := alloc.ExpansionInput{TOR: req.TOR, Pod: v.Pod, Purpose: req.Purpose, Family: req.Family,
		PodPrefixes: v.PodPrefixes, Taken: v.Taken, MinAvailable: v.MinAvailable, Recent: v.Recent, Window: RecentWindow,
		Rule: v.Settings.Rule(req.Purpose), Manual: req.Manual}
	for _, b := range v.Blocks {
		in.Blocks = append(in.Blocks, alloc.BlockUse{Subnet: b.Subnet, Used: b.Used})
	}
	return alloc.PlanExpansion(in)
}

// ExpandIfNeeded grows a TOR's subnets of a purpose and family when they
// need it, reading first only what tells the need.
func ExpandIfNeeded(ctx context.Context, st *store.Store, tor string, purpose topo.Purpose, fam topo.Family) (ExpandResult, error) {
	req := ExpandRequest{TOR: tor, Purpose: purpose, Family: fam}
	plan, err := planExpansion(ctx, st, req, true)
	if err != nil || !plan.Need {
		return ExpandResult{ExpansionPlan: plan}, err
	}
	return Expand(ctx, st, req)
}

// expandNeeded grows every group that needs it, reading what tells the
// need once per TOR (three indexed reads): what an allocator calls after
// an allocation. Each expansion made or refused goes to report.
func ExpandNeeded(ctx context.Context, st *store.Store, groups []ExpandGroup, report func(ExpandResult, error)) {
	needs := map[string]*store.TORNeed{}
	for _, g := range groups {
		n, ok := needs[g.tor]
		if !ok {
			var err error
			if n, err = st.TORNeed(ctx, g.tor); err != nil {
				report(ExpandResult{}, err)
				return
			}
			needs[g.tor] = n
		}
		in := alloc.ExpansionInput{TOR: g.tor, Purpose: g.purpose, Family: g.family,
			MinAvailable: n.MinAvailable[g.purpose], Rule: n.Settings.Rule(g.purpose)}
		for _, b := range n.Blocks {
			if b.Purpose == g.purpose && topo.FamilyOfPrefix(b.CIDR) == g.family {
				in.Blocks = append(in.Blocks, alloc.BlockUse{Subnet: b.Subnet, Used: b.Used})
			}
		}
		quick, err := alloc.PlanExpansion(in)
		if err != nil || !quick.Need {
			report(ExpandResult{ExpansionPlan: quick}, err)
			continue
		}
		report(Expand(ctx, st, ExpandRequest{TOR: g.tor, Purpose: g.purpose, Family: g.family}))
	}
}

// groupsOf gives the (purpose, family) pairs of allocations.
func GroupsOf(allocs []topo.Allocation) []ExpandGroup {
	seen := map[ExpandGroup]bool{}
	var out []ExpandGroup
	for _, a := range allocs {
		g := ExpandGroup{tor: a.TOR, purpose: a.Purpose, family: topo.FamilyOf(a.Address)}
		if !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	return out
}

// expandGroup is one TOR's purpose and family.
type ExpandGroup struct {
	tor     string
	purpose topo.Purpose
	family  topo.Family
}

// requestGroups gives the (purpose, family) pairs a request on a TOR may
// take, from the TOR's subnets.
func requestGroups(ctx context.Context, st *store.Store, tor string, req alloc.Request) ([]ExpandGroup, error) {
	purposes := req.Purposes
	if len(purposes) == 0 {
		purposes = []topo.Purpose{topo.PurposeDefault}
	}
	subnets, err := st.TORSubnets(ctx, tor)
	if err != nil {
		return nil, err
	}
	seen := map[ExpandGroup]bool{}
	var out []ExpandGroup
	for _, s := range subnets {
		g := ExpandGroup{tor: tor, purpose: s.Purpose, family: topo.FamilyOf(s.CIDR.Addr())}
		if seen[g] || (req.Family != 0 && g.family != req.Family) || !slices.Contains(purposes, s.Purpose) {
			continue
		}
		seen[g] = true
		out = append(out, g)
	}
	return out, nil
}
