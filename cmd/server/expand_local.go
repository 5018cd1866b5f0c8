package server

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
func (l Local) allocateExpanding(ctx context.Context, req alloc.Request) ([]topo.Allocation, error) {
	out, err := alloc.NewOneShotAllocator(l.Store).Allocate(ctx, req)
	if errors.Is(err, topo.ErrExhausted) && len(req.IPs) == 0 && expandFull(ctx, l.Store, req, l.report) {
		out, err = alloc.NewOneShotAllocator(l.Store).Allocate(ctx, req)
	}
	if err == nil {
		expandNeeded(ctx, l.Store, groupsOf(out), l.report)
	}
	return out, err
}

// expandFull grows the TOR of the request's node for every purpose and
// family of the request that needs it; it says whether the request is
// worth making again: a block was claimed, or the need is met already
// (another process claimed one meanwhile). What each expansion did goes to
// report.
func expandFull(ctx context.Context, st *store.Store, req alloc.Request, report func(ExpandResult, error)) bool {
	tor, err := st.NodeTOR(ctx, req.Node)
	if err != nil {
		return false // the allocation's own error says it
	}
	groups, err := requestGroups(ctx, st, tor, req)
	if err != nil {
		report(ExpandResult{}, err)
		return false
	}
	grown := false
	for _, g := range groups {
		res, err := ExpandIfNeeded(ctx, st, g.tor, g.purpose, g.family)
		report(res, err)
		grown = grown || res.Claimed || (err == nil && !res.Need)
	}
	return grown
}

// report says on Warn what an expansion did or why it could not.
func (l Local) report(res ExpandResult, err error) {
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
