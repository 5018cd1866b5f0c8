package server

import (
	"context"
	"net/http"

	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

// NodeReporter counts allocations per node, purpose and family (`netipam
// report nodes`): Local, the Daemon and the Client implement it beside
// Service.
type NodeReporter interface {
	NodeCounts(ctx context.Context) ([]store.NodeCount, error)
}

var (
	_ NodeReporter = Local{}
	_ NodeReporter = (*Daemon)(nil)
	_ NodeReporter = (*Client)(nil)
)

// NodeCounts reads the store.
func (l Local) NodeCounts(ctx context.Context) ([]store.NodeCount, error) {
	return l.Store.NodeCounts(ctx)
}

// NodeCounts reads the daemon's store.
func (d *Daemon) NodeCounts(ctx context.Context) (out []store.NodeCount, err error) {
	defer d.timed(OpAllocations)(&err) // a read of allocations: no label value of its own
	return d.st.NodeCounts(ctx)
}

// NodeCounts asks the server.
func (c *Client) NodeCounts(ctx context.Context) ([]store.NodeCount, error) {
	var out []store.NodeCount
	if err := c.do(ctx, http.MethodGet, "/v1/report/nodes", nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

func (a *API) reportNodes(w http.ResponseWriter, r *http.Request) {
	svc, ok := a.Svc.(NodeReporter)
	if !ok {
		writeError(w, topo.Errorf(topo.ErrInvalid, "%s: this server does not count allocations per node", r.URL.Path))
		return
	}
	out, err := svc.NodeCounts(r.Context())
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, out)
}
