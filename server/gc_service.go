package server

import (
	"context"
	"net/http"

	"github.com/netipam/netipam/topo"
)

// GCService runs gc: Local, the Daemon and the Client implement it beside
// Service (the CNI plugin has no use for it, its GC is CNI's own).
type GCService interface {
	// GC runs one two-phase gc request on a node (see RunGC).
	GC(ctx context.Context, req GCRequest) (GCReport, error)
}

var (
	_ GCService = Local{}
	_ GCService = (*Daemon)(nil)
	_ GCService = (*Client)(nil)
)

// GC runs gc on the store.
func (l Local) GC(ctx context.Context, req GCRequest) (GCReport, error) {
	rep, _, err := RunGC(ctx, l.Store, req)
	return rep, err
}

// GC runs gc on the daemon's store and frees what it released in the
// pools at once (the ledger's feed would, a moment later).
func (d *Daemon) GC(ctx context.Context, req GCRequest) (rep GCReport, err error) {
	defer d.timed(OpRelease)(&err) // gc is a release: no label value of its own
	rep, released, err := RunGC(ctx, d.st, req)
	if err != nil {
		return GCReport{}, err
	}
	d.alloc.Forget(released)
	d.Metrics.Released(len(released))
	return rep, nil
}

// GC asks the server to run gc.
func (c *Client) GC(ctx context.Context, req GCRequest) (GCReport, error) {
	var out GCReport
	if err := c.do(ctx, http.MethodPost, "/v1/gc", req, &out); err != nil {
		return GCReport{}, err
	}
	return out, nil
}

func (a *API) gc(w http.ResponseWriter, r *http.Request) {
	var req GCRequest
	if err := decode(w, r, &req); err != nil {
		writeError(w, err)
		return
	}
	svc, ok := a.Svc.(GCService)
	if !ok {
		writeError(w, topo.Errorf(topo.ErrInvalid, "%s: this server does not run gc", r.URL.Path))
		return
	}
	rep, err := svc.GC(r.Context(), req)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, rep)
}
