package server

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/netipam/netipam/ipam"
	"github.com/netipam/netipam/server/api"
	"github.com/netipam/netipam/strictjson"
	"github.com/netipam/netipam/topo"
)

// maxBody bounds a request body: far more than any real request.
const maxBody = 1 << 20

// API is the HTTP API of a ipam.Service, version 1.
type API struct {
	Svc ipam.Service
	// Ready and Healthy answer /readyz and /healthz.
	Ready   func() bool
	Healthy func(ctx context.Context) error
	// Gate, when set, fails every request with its error while it has one
	// (gated, start.go).
	Gate func() error
	Log  *slog.Logger
}

// Handler returns the API's routes; token, when not empty, is the bearer
// token every request must carry (the TCP listeners).
func (a *API) Handler(token string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/allocate", a.allocate)
	mux.HandleFunc("POST /v1/release", a.release)
	mux.HandleFunc("GET /v1/allocations", a.allocations)
	mux.HandleFunc("GET /v1/subnets", a.subnets)
	mux.HandleFunc("GET /v1/nodes/{id}/tor", a.nodeTOR)
	mux.HandleFunc("GET /v1/usage", a.usage)
	mux.HandleFunc("GET /v1/routes", a.routes)
	mux.HandleFunc("POST /v1/adopt", a.adopt)
	mux.HandleFunc("POST /v1/gc", a.gc)
	mux.HandleFunc("GET /v1/report/nodes", a.reportNodes)
	mux.HandleFunc("GET /v1/report/leaks", a.reportLeaks)
	mux.HandleFunc("GET /v1/report/forecast", a.reportForecast)
	mux.HandleFunc("GET /v1/check", a.check)
	mux.HandleFunc("POST /v1/expand", a.expand)
	mux.HandleFunc("POST /v1/reclaim", a.reclaim)
	mux.HandleFunc("POST /v1/nodes/kubernetes", a.kubeImport)
	mux.HandleFunc("GET /readyz", a.readyz)
	mux.HandleFunc("GET /healthz", a.healthz)
	var h http.Handler = mux
	if a.Gate != nil {
		h = gated(a.Gate, h)
	}
	if token != "" {
		h = bearer(token, h)
	}
	return a.logged(h)
}

// bearer lets through only requests with "Authorization: Bearer <token>",
// the scheme in any case (RFC 7235: it is case-insensitive), the token
// compared in constant time (over digests, so the length leaks nothing
// either).
func bearer(token string, next http.Handler) http.Handler {
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := bearerToken(r.Header.Get("Authorization"))
		sum := sha256.Sum256([]byte(got))
		if !ok || subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
			// A client without the token keeps no connection: net/http
			// closes it after this answer, so idle unauthenticated
			// clients cannot hold the listener's connections.
			w.Header().Set("Connection", "close")
			writeError(w, topo.Errorf(topo.ErrUnauthorized, "%s %s needs a valid bearer token (Authorization: Bearer TOKEN): pass the server's token (--token-file)",
				r.Method, r.URL.Path))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// bearerToken gives the token of an Authorization value of the Bearer
// scheme (any case, one or more spaces before the token); false for
// another scheme or no token.
func bearerToken(v string) (string, bool) {
	scheme, rest, ok := strings.Cut(v, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok := strings.TrimLeft(rest, " ")
	return tok, tok != ""
}

// statusWriter remembers the status for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
	err    error // what writeError answered
}

func (s *statusWriter) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// logged writes one line per request at debug, and errors at warn.
func (a *API) logged(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		attrs := []any{"method", r.Method, "path", r.URL.Path, "status", sw.status, "duration", time.Since(start)}
		switch {
		case sw.status >= 500:
			a.Log.Warn("request failed", append(attrs, "error", sw.err)...)
		case sw.err != nil:
			a.Log.Debug("request refused", append(attrs, "error", sw.err)...)
		default:
			a.Log.Debug("request", attrs...)
		}
	})
}

// writeJSON writes v with status 200.
func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v) // a client gone away is not our error
}

// writeError writes err's kind and message with the kind's status.
func writeError(w http.ResponseWriter, err error) {
	if sw, ok := w.(*statusWriter); ok {
		sw.err = err
	}
	body, status := api.ErrorOf(err)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// decode reads one JSON value from a size-limited body (strictjson):
// unknown, repeated or case-variant keys, wrong types, trailing data and
// an over-long body are invalid requests.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	return decodeUpTo(w, r, v, maxBody)
}

// decodeUpTo is decode with its own bound on the body: a list the CLI
// reads from a file (the nodes of a Kubernetes cluster) may be larger.
func decodeUpTo(w http.ResponseWriter, r *http.Request, v any, limit int64) error {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return topo.Errorf(topo.ErrInvalid, "%s: body over %d bytes", r.URL.Path, limit)
		}
		return topo.Errorf(topo.ErrInvalid, "%s: read the body: %w", r.URL.Path, err)
	}
	if err := strictjson.Decode(data, v, strictjson.Options{}); err != nil {
		return topo.Errorf(topo.ErrInvalid, "%s: bad JSON body: %w", r.URL.Path, err)
	}
	return nil
}

func (a *API) allocate(w http.ResponseWriter, r *http.Request) {
	var b api.AllocateBody
	if err := decode(w, r, &b); err != nil {
		writeError(w, err)
		return
	}
	req := b.Request()
	if err := req.Validate(); err != nil {
		writeError(w, err)
		return
	}
	as, err := a.Svc.Allocate(r.Context(), req)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, api.NonNil(as))
}

func (a *API) release(w http.ResponseWriter, r *http.Request) {
	var b api.ReleaseBody
	if err := decode(w, r, &b); err != nil {
		writeError(w, err)
		return
	}
	if b.Kind == "" {
		b.Kind = "release"
	}
	if b.Kind != "release" && b.Kind != "gc" {
		writeError(w, topo.Errorf(topo.ErrInvalid, "release: kind %.40q: use release or gc", b.Kind))
		return
	}
	if len(b.Addresses) == 0 && b.Node == nil && b.Container == nil {
		writeError(w, topo.Errorf(topo.ErrInvalid, "release: say what to release: addresses, a node or an attachment (network, container, ifname)"))
		return
	}
	f := b.Filter.Domain()
	if err := f.Validate(); err != nil {
		writeError(w, topo.Errorf(topo.ErrInvalid, "release: %w", err))
		return
	}
	as, err := a.Svc.Release(r.Context(), f, b.Kind)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, api.NonNil(as))
}

// allocationFilter reads GET /v1/allocations' parameters.
func allocationFilter(r *http.Request) (topo.AllocationFilter, error) {
	q := r.URL.Query()
	var j api.Filter
	str := func(k string) *string {
		if !q.Has(k) {
			return nil
		}
		v := q.Get(k)
		return &v
	}
	j.Node, j.TOR, j.Container, j.IfName, j.Network = str("node"), str("tor"), str("container"), str("ifname"), str("network")
	for _, s := range q["address"] {
		ad, err := netip.ParseAddr(s)
		if err != nil {
			return topo.AllocationFilter{}, topo.Errorf(topo.ErrInvalid, "address %.60q: %v", s, err)
		}
		j.Addresses = append(j.Addresses, ad)
	}
	if s := str("subnet"); s != nil {
		p, err := netip.ParsePrefix(*s)
		if err != nil {
			return topo.AllocationFilter{}, topo.Errorf(topo.ErrInvalid, "subnet %.60q: %v", *s, err)
		}
		j.Subnet = &p
	}
	f := j.Domain()
	if err := f.Validate(); err != nil {
		return topo.AllocationFilter{}, err
	}
	return f, nil
}

func (a *API) allocations(w http.ResponseWriter, r *http.Request) {
	f, err := allocationFilter(r)
	if err != nil {
		writeError(w, err)
		return
	}
	as, err := a.Svc.Allocations(r.Context(), f)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, api.NonNil(as))
}

func (a *API) subnets(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	for _, k := range []string{"tor", "for_tor", "purpose"} {
		if err := topo.ValidateLabel(k, q.Get(k)); err != nil {
			writeError(w, err)
			return
		}
	}
	var f topo.SubnetFilter
	if q.Has("tor") {
		v := q.Get("tor")
		f.TOR = &v
	}
	if q.Has("for_tor") {
		v := q.Get("for_tor")
		f.ForTOR = &v
	}
	if q.Has("purpose") {
		v := q.Get("purpose")
		f.Purpose = &v
	}
	if q.Has("cidr") {
		p, err := netip.ParsePrefix(q.Get("cidr"))
		if err != nil {
			writeError(w, topo.Errorf(topo.ErrInvalid, "cidr %.60q: %v", q.Get("cidr"), err))
			return
		}
		f.CIDR = &p
	}
	rows, err := a.Svc.Subnets(r.Context(), f)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, api.Subnets(rows))
}

func (a *API) nodeTOR(w http.ResponseWriter, r *http.Request) {
	if err := topo.ValidateLabel("node", r.PathValue("id")); err != nil {
		writeError(w, err)
		return
	}
	tor, err := a.Svc.NodeTOR(r.Context(), r.PathValue("id"))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, api.TOR{TOR: tor})
}

func (a *API) usage(w http.ResponseWriter, r *http.Request) {
	us, err := ipam.Usage(r.Context(), a.Svc)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, us)
}

func (a *API) readyz(w http.ResponseWriter, r *http.Request) {
	if a.Ready != nil && !a.Ready() {
		writeError(w, topo.Errorf(topo.ErrUnavailable, "not ready: the pools are still loading"))
		return
	}
	writeJSON(w, api.Status{Status: "ok"})
}

func (a *API) healthz(w http.ResponseWriter, r *http.Request) {
	if a.Healthy != nil {
		if err := a.Healthy(r.Context()); err != nil {
			writeError(w, topo.Errorf(topo.ErrUnavailable, "store does not answer: %v", err))
			return
		}
	}
	writeJSON(w, api.Status{Status: "ok"})
}
