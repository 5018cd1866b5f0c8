package server

import (
	"context"
	"net/http"
	"net/netip"

	"github.com/netipam/netipam/cmd/server/api"
	"github.com/netipam/netipam/topo"
)

// OpRoutes labels the route reads in the request metrics.
const OpRoutes = OpTopology

type routesJSON = api.Routes

// Routes aggregates from the store.
func (l Local) Routes(ctx context.Context, level topo.Level, id string) ([]netip.Prefix, error) {
	return l.Store.Routes(ctx, level, id)
}

// Routes aggregates from the store.
func (d *Daemon) Routes(ctx context.Context, level topo.Level, id string) (out []netip.Prefix, err error) {
	defer d.timed(OpRoutes)(&err)
	return d.st.Routes(ctx, level, id)
}

// Routes asks the server for the aggregated prefixes below a level.
func (c *Client) Routes(ctx context.Context, level topo.Level, id string) ([]netip.Prefix, error) {
	return c.api.Routes(ctx, level, id)
}

func (a *API) routes(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	level, err := topo.ParseLevel(q.Get("level"))
	if err != nil {
		writeError(w, topo.Errorf(topo.ErrInvalid, "GET /v1/routes: level: %v", err))
		return
	}
	if err := topo.CheckID("id", q.Get("id")); err != nil {
		writeError(w, topo.Errorf(topo.ErrInvalid, "GET /v1/routes: %v", err))
		return
	}
	ps, err := a.Svc.Routes(r.Context(), level, q.Get("id"))
	if err != nil {
		writeError(w, err)
		return
	}
	if ps == nil {
		ps = []netip.Prefix{}
	}
	writeJSON(w, routesJSON{Prefixes: ps})
}
