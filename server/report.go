package server

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

// Reporter answers the canned reports (`netipam report`): allocations per
// node, gc's candidates and the forecast. Local, the Daemon and the Client
// implement it beside Service, so that every report works through
// --server too.
type Reporter interface {
	NodeCounts(ctx context.Context) ([]store.NodeCount, error)
	GCCandidates(ctx context.Context, node string) ([]store.GCCandidate, error)
	Forecast(ctx context.Context, req ForecastRequest) (ForecastReport, error)
}

var (
	_ Reporter = Local{}
	_ Reporter = (*Daemon)(nil)
	_ Reporter = (*Client)(nil)
)

// NodeCounts reads the store.
func (l Local) NodeCounts(ctx context.Context) ([]store.NodeCount, error) {
	return l.Store.NodeCounts(ctx)
}

// GCCandidates reads the store.
func (l Local) GCCandidates(ctx context.Context, node string) ([]store.GCCandidate, error) {
	return l.Store.GCCandidates(ctx, node)
}

// Forecast reads the store.
func (l Local) Forecast(ctx context.Context, req ForecastRequest) (ForecastReport, error) {
	return RunForecast(ctx, l.Store, req)
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
func (d *Daemon) Forecast(ctx context.Context, req ForecastRequest) (out ForecastReport, err error) {
	defer d.timed(OpOther)(&err)
	return RunForecast(ctx, d.st, req)
}

// NodeCounts asks the server.
func (c *Client) NodeCounts(ctx context.Context) ([]store.NodeCount, error) {
	var out []store.NodeCount
	if err := c.do(ctx, http.MethodGet, "/v1/report/nodes", nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// GCCandidates asks the server.
func (c *Client) GCCandidates(ctx context.Context, node string) ([]store.GCCandidate, error) {
	var out []store.GCCandidate
	path := "/v1/report/leaks"
	if node != "" {
		path += "?" + url.Values{"node": {node}}.Encode()
	}
	if err := c.do(ctx, http.MethodGet, path, nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// Forecast asks the server.
func (c *Client) Forecast(ctx context.Context, req ForecastRequest) (ForecastReport, error) {
	var out ForecastReport
	q := url.Values{"window": {req.Window}, "threshold": {strconv.FormatFloat(req.Threshold, 'g', -1, 64)}}
	if err := c.do(ctx, http.MethodGet, "/v1/report/forecast?"+q.Encode(), nil, &out); err != nil {
		return ForecastReport{}, err
	}
	return out, nil
}

// reporter gives the API's Reporter, or writes why there is none.
func (a *API) reporter(w http.ResponseWriter, r *http.Request) (Reporter, bool) {
	rep, ok := a.Svc.(Reporter)
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
	req := ForecastRequest{Window: q.Get("window")}
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
