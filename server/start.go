package server

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/netipam/netipam/server/api"
	"github.com/netipam/netipam/topo"
)

// Starting up against a store that cannot answer yet (an rqlite cluster
// electing a leader, a SQLite file another process holds locked) is not a
// failure: the server listens at once, answers /healthz 200 (the process
// is alive) and /readyz and every other request 503 naming what it waits
// for, and tries again with backoff until the store answers or it is
// stopped. Any other failure (no store, an older schema, a bad URL) stops
// it as before.

// Opener opens the store and gives the daemon over it; a failure wrapping
// topo.ErrUnavailable is tried again.
type Opener func(ctx context.Context) (*Daemon, error)

// Backoff between tries to open and load the store.
const (
	startBackoffMin = 200 * time.Millisecond
	startBackoffMax = 5 * time.Second
)

// startBackoff gives the wait after n failed tries: doubling from
// startBackoffMin to startBackoffMax, with up to a fifth of jitter so that
// servers restarted together do not ask together.
func startBackoff(n int) time.Duration {
	d := startBackoffMax
	if n < 8 {
		d = min(startBackoffMin<<n, startBackoffMax)
	}
	return d - time.Duration(rand.Int64N(int64(d/5)))
}

// starter opens the store and loads the pools, again and again while the
// store is unavailable, and installs the daemon's handlers once it is
// open.
type starter struct {
	open    Opener
	install func(*Daemon)
	log     logger
	waiting atomic.Pointer[error] // why it is not started yet
}

type logger interface {
	Info(msg string, args ...any)
	Warn(msg string, args ...any)
}

// run tries until the daemon is loaded (nil), ctx ends (nil) or a failure
// that waiting would not cure (its error). *d, if not nil, is a daemon
// already open; run leaves in it the daemon it opened, if any.
func (s *starter) run(ctx context.Context, d **Daemon) error {
	start := time.Now()
	for n := 0; ; n++ {
		err := s.try(ctx, d)
		if err == nil {
			s.log.Info("ready", "load", time.Since(start))
			return nil
		}
		if ctx.Err() != nil {
			return nil // stopped before ready
		}
		if !errors.Is(err, topo.ErrUnavailable) {
			return err
		}
		s.waiting.Store(&err)
		wait := startBackoff(n)
		s.log.Warn("waiting for the store: not ready", "error", err, "retry in", wait.Round(time.Millisecond))
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
	}
}

// try opens (when *d is nil) and loads once.
func (s *starter) try(ctx context.Context, d **Daemon) error {
	if *d == nil {
		nd, err := s.open(ctx)
		if err != nil {
			return err
		}
		*d = nd
		s.install(nd)
	}
	if err := (*d).Load(ctx); err != nil {
		return fmt.Errorf("start-up load: %w", err)
	}
	return nil
}

// notReady says why the server is not started, for its answers.
func (s *starter) notReady() error {
	if p := s.waiting.Load(); p != nil {
		return topo.Errorf(topo.ErrUnavailable, "not ready: waiting for the store: %v", *p)
	}
	return topo.Errorf(topo.ErrUnavailable, "not ready: opening the store")
}

// lateHandler serves the daemon's API once installed; before, /healthz
// answers 200 and everything else 503 with why the server is not ready.
type lateHandler struct {
	h       atomic.Pointer[http.Handler]
	waiting http.Handler
	token   string // the bearer token of the listener (none on a unix socket)
}

func newLateHandler(s *starter, token string) *lateHandler {
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Path == "/healthz" {
			writeJSON(w, api.Status{Status: "ok"}) // alive; /readyz says it is not ready
			return
		}
		writeError(w, s.notReady())
	})
	if token != "" {
		h = bearer(token, h)
	}
	return &lateHandler{waiting: h, token: token}
}

func (l *lateHandler) set(h http.Handler) { l.h.Store(&h) }

func (l *lateHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h := l.h.Load(); h != nil {
		(*h).ServeHTTP(w, r)
		return
	}
	l.waiting.ServeHTTP(w, r)
}

// gated answers every request with gate's error while it has one (the
// store's file was deleted or replaced: see store.CheckIdentity).
func gated(gate func() error, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := gate(); err != nil {
			writeError(w, fmt.Errorf("%s %s: %w", r.Method, r.URL.Path, err))
			return
		}
		next.ServeHTTP(w, r)
	})
}
