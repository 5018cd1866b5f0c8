package server

import (
	"context"
	"net/netip"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/ipam"
	"github.com/netipam/netipam/ipam/local"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

// The daemon's use cases beyond allocation: each is the use case of
// package ipam/local on the daemon's store, timed in the request metrics.

// OpRoutes labels the route reads in the request metrics.
const OpRoutes = OpTopology

var (
	_ local.GCService = (*Daemon)(nil)
	_ local.Reporter  = (*Daemon)(nil)
	_ local.Checker   = (*Daemon)(nil)
	_ local.Operator  = (*Daemon)(nil)
)

// Adopt takes over leases through the store; the pools learn of the new
// allocations from the ledger's change feed (and the schema refuses a
// duplicate before they do).
func (d *Daemon) Adopt(ctx context.Context, req ipam.AdoptRequest) (ad alloc.Adoption, err error) {
	defer d.timed(OpOther)(&err)
	return local.AdoptOn(ctx, d.st, req)
}

// Check checks the daemon's store (what other writers did included).
func (d *Daemon) Check(ctx context.Context) (store.CheckReport, error) {
	return local.Check(ctx, d.st)
}

// GC runs gc on the daemon's store and frees what it released in the
// pools at once (the ledger's feed would, a moment later).
func (d *Daemon) GC(ctx context.Context, req local.GCRequest) (rep local.GCReport, err error) {
	defer d.timed(OpRelease)(&err) // gc is a release: no label value of its own
	rep, released, err := local.RunGC(ctx, d.st, req)
	if err != nil {
		return local.GCReport{}, err
	}
	d.alloc.Forget(released)
	d.Metrics.Released(len(released))
	return rep, nil
}

// NodeCounts reads the daemon's store.
func (d *Daemon) NodeCounts(ctx context.Context) (out []store.NodeCount, err error) {
	defer d.timed(OpOther)(&err)
	return d.st.NodeCounts(ctx)
}

// GCCandidates reads the daemon's store.
func (d *Daemon) GCCandidates(ctx context.Context, node string) (out []store.GCCandidate, err error) {
	defer d.timed(OpOther)(&err)
	return d.st.GCCandidates(ctx, node)
}

// Forecast reads the daemon's store.
func (d *Daemon) Forecast(ctx context.Context, req local.ForecastRequest) (out local.ForecastReport, err error) {
	defer d.timed(OpOther)(&err)
	return local.RunForecast(ctx, d.st, req)
}

// Routes aggregates from the store.
func (d *Daemon) Routes(ctx context.Context, level topo.Level, id string) (out []netip.Prefix, err error) {
	defer d.timed(OpRoutes)(&err)
	return d.st.Routes(ctx, level, id)
}

// ExpandTOR grows a TOR on the daemon's store; the pools learn of the new
// block from the topology's feed.
func (d *Daemon) ExpandTOR(ctx context.Context, req local.ExpandTORRequest) (out []local.ExpandResult, err error) {
	defer d.timed(OpOther)(&err)
	return local.ExpandTOR(ctx, d.st, req)
}

// Reclaim returns empty expanded blocks on the daemon's store.
func (d *Daemon) Reclaim(ctx context.Context, req local.ReclaimRequest) (out local.ReclaimReport, err error) {
	defer d.timed(OpOther)(&err)
	return local.Reclaim(ctx, d.st, req)
}

// KubeImport syncs nodes on the daemon's store; the pools learn of moved
// nodes from the feed.
func (d *Daemon) KubeImport(ctx context.Context, req local.KubeImportRequest) (out local.KubeImportReport, err error) {
	defer d.timed(OpOther)(&err)
	return local.KubeImport(ctx, d.st, req)
}
