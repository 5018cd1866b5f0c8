package server

import (
	"net/http"
	"net/netip"
	"strconv"

	"github.com/netipam/netipam/ipam/local"
	"github.com/netipam/netipam/server/api"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

// The handlers of the use cases beyond allocation: adopt, check, gc, the
// reports and the routes.

func (a *API) adopt(w http.ResponseWriter, r *http.Request) {
	var b api.AdoptBody
	if err := decode(w, r, &b); err != nil {
		writeError(w, err)
		return
	}
	req := b.Request()
	if err := req.Validate(); err != nil {
		writeError(w, err)
		return
	}
	ad, err := a.Svc.Adopt(r.Context(), req)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, api.NewAdoption(ad))
}

// check answers GET /v1/check.
func (a *API) check(w http.ResponseWriter, r *http.Request) {
	c, ok := a.Svc.(local.Checker)
	if !ok {
		writeError(w, topo.Errorf(topo.ErrInvalid, "check: this server's service cannot check the store"))
		return
	}
	rep, err := c.Check(r.Context())
	if err != nil {
		writeError(w, err)
		return
	}
	if rep.Problems == nil {
		rep.Problems = []store.Problem{}
	}
	writeJSON(w, rep)
}

func (a *API) gc(w http.ResponseWriter, r *http.Request) {
	var req local.GCRequest
	if err := decode(w, r, &req); err != nil {
		writeError(w, err)
		return
	}
	svc, ok := a.Svc.(local.GCService)
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

// reporter gives the API's local.Reporter, or writes why there is none.
func (a *API) reporter(w http.ResponseWriter, r *http.Request) (local.Reporter, bool) {
	rep, ok := a.Svc.(local.Reporter)
	if !ok {
		writeError(w, topo.Errorf(topo.ErrInvalid, "%s: this server has no reports", r.URL.Path))
	}
	return rep, ok
}

func (a *API) reportNodes(w http.ResponseWriter, r *http.Request) {
	if rep, ok := a.reporter(w, r); ok {
		answer(w, func() (any, error) { return rep.NodeCounts(r.Context()) })
	}
}

func (a *API) reportLeaks(w http.ResponseWriter, r *http.Request) {
	if rep, ok := a.reporter(w, r); ok {
		node := r.URL.Query().Get("node")
		if err := topo.ValidateLabel("node", node); err != nil {
			writeError(w, err)
			return
		}
		answer(w, func() (any, error) { return rep.GCCandidates(r.Context(), node) })
	}
}

func (a *API) reportForecast(w http.ResponseWriter, r *http.Request) {
	rep, ok := a.reporter(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	req := local.ForecastRequest{Window: q.Get("window")}
	if s := q.Get("threshold"); s != "" {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			writeError(w, topo.Errorf(topo.ErrInvalid, "threshold %.40q: give a ratio such as 0.8", s))
			return
		}
		req.Threshold = f
	}
	if err := req.Validate(); err != nil {
		writeError(w, err)
		return
	}
	answer(w, func() (any, error) { return rep.Forecast(r.Context(), req) })
}

// answer writes what fn gives, or its error.
func answer(w http.ResponseWriter, fn func() (any, error)) {
	v, err := fn()
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, v)
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
	writeJSON(w, api.Routes{Prefixes: ps})
}
