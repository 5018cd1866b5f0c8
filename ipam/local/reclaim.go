package local

import (
	"context"
	"time"

	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

// ReclaimRequest asks to return the expanded blocks that have been empty
// for a grace period (`netipam subnet reclaim`, POST /v1/reclaim).
type ReclaimRequest struct {
	// Grace is how long a block must have been empty (topo's duration
	// syntax: 24h, 90m, 7d); empty: the topology's
	// expansion.reclaim_grace.
	Grace  string `json:"grace,omitempty"`
	DryRun bool   `json:"dry_run,omitempty"`
}

// ReclaimReport is what a reclaim returned, or would return (the JSON
// `netipam subnet reclaim -o json` prints).
type ReclaimReport struct {
	Blocks  []store.Reclaimable `json:"blocks"`
	Grace   string              `json:"grace"`
	Applied bool                `json:"applied"`
}

// grace resolves the request's grace: its own, else the stored
// expansion.reclaim_grace.
func (r ReclaimRequest) grace(ctx context.Context, st *store.Store) (time.Duration, error) {
	if r.Grace != "" {
		g, err := topo.ParseDuration(r.Grace)
		if err != nil {
			return 0, topo.Errorf(topo.ErrInvalid, "--grace %s: %w", topo.Quote(r.Grace), err)
		}
		if g <= 0 {
			return 0, topo.Errorf(topo.ErrInvalid, "--grace %s: give a duration above zero, or leave --grace out for expansion.reclaim_grace", topo.Quote(r.Grace))
		}
		return g, nil
	}
	e, err := st.Expansion(ctx)
	if err != nil {
		return 0, err
	}
	return e.Resolved().ReclaimGrace, nil
}

// Reclaim deletes the blocks netipam expanded TORs with (never imported or
// added ones) that hold no address and have been empty for the grace
// period, in one atomic batch (store.Reclaim); a dry run lists them.
func Reclaim(ctx context.Context, st *store.Store, req ReclaimRequest) (ReclaimReport, error) {
	grace, err := req.grace(ctx, st)
	if err != nil {
		return ReclaimReport{}, err
	}
	blocks, err := st.Reclaimable(ctx, st.Now().Add(-grace))
	if err != nil {
		return ReclaimReport{}, err
	}
	out := ReclaimReport{Blocks: blocks, Grace: topo.FormatDuration(grace)}
	if !req.DryRun && len(blocks) > 0 {
		if out.Blocks, err = st.Reclaim(ctx, blocks, grace); err != nil {
			return ReclaimReport{}, err
		}
		out.Applied = true
	}
	if out.Blocks == nil {
		out.Blocks = []store.Reclaimable{}
	}
	return out, nil
}
