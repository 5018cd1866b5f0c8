package local

import (
	"context"
	"errors"
	"fmt"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

// allocateExpanding allocates; a TOR found full for the request is grown
// (within its pod) and the request made again in the same call, so that an
// allocation never fails while the pod has room. After an allocation, the
// TOR's subnets it took from are grown if they crossed the threshold: best
// effort, never failing the allocation. What could not be grown is said on
// Warn and recorded in the ledger.
func (l Service) allocateExpanding(ctx context.Context, req alloc.Request) ([]topo.Allocation, error) {
	out, err := AllocateGrowing(ctx, l.Store, req, alloc.NewOneShotAllocator(l.Store).Allocate, l.report)
	if err == nil {
		ExpandNeeded(ctx, l.Store, GroupsOf(out), l.report)
	}
	return out, err
}

// allocateGrowing allocates; when the TOR is full it grows what needs it
// and asks once more, whatever came of the growth: another process may
// have grown the TOR between the failed allocation and the plan's reads
// (which would then find the pod full). What the growth did is reported
// when it claimed a block, or when the second try failed too.
func AllocateGrowing(ctx context.Context, st *store.Store, req alloc.Request,
	allocate func(context.Context, alloc.Request) ([]topo.Allocation, error), report func(ExpandResult, error)) ([]topo.Allocation, error) {
	out, err := allocate(ctx, req)
	if !errors.Is(err, topo.ErrExhausted) || len(req.IPs) > 0 {
		return out, err
	}
	type outcome struct {
		res ExpandResult
		err error
	}
	var seen []outcome
	expandFull(ctx, st, req, func(res ExpandResult, err error) { seen = append(seen, outcome{res, err}) })
	out, err = allocate(ctx, req)
	for _, o := range seen {
		if o.res.Claimed || err != nil {
			report(o.res, o.err)
		}
	}
	return out, err
}

// expandFull grows the TOR of the request's node for every purpose and
// family of the request that needs it; what each expansion did goes to
// report.
func expandFull(ctx context.Context, st *store.Store, req alloc.Request, report func(ExpandResult, error)) {
	tor, err := st.NodeTOR(ctx, req.Node)
	if err != nil {
		return // the allocation's own error says it
	}
	groups, err := requestGroups(ctx, st, tor, req)
	if err != nil {
		report(ExpandResult{}, err)
		return
	}
	for _, g := range groups {
		res, err := ExpandIfNeeded(ctx, st, g.tor, g.purpose, g.family)
		report(res, err)
	}
}

// report says on Warn what an expansion did or why it could not.
func (l Service) report(res ExpandResult, err error) {
	if l.Warn == nil {
		return
	}
	switch {
	case err != nil:
		fmt.Fprintf(l.Warn, "netipam: warning: %v\n", err)
	case res.Claimed:
		fmt.Fprintf(l.Warn, "netipam: expanded TOR %s (%s, IPv%d) with %s: %s\n", res.TOR, res.Purpose, res.Family, res.Block, res.Detail())
	}
}
