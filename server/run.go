package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/net/netutil"

	"github.com/netipam/netipam/server/api"
	"github.com/netipam/netipam/topo"
)

// Connection time limits of every server. A client that has not
// authenticated has readHeaderTimeout to send its first request, and its
// connection is closed after the 401 (bearer): only a client with the
// token keeps an idle connection for idleTimeout.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = api.RequestTimeout + 5*time.Second
	idleTimeout       = 2 * time.Minute
	// shutdownTimeout bounds how long a stop waits for in-flight requests.
	shutdownTimeout = 30 * time.Second
)

// Options configure a running server.
type Options struct {
	Listen []string // unix:///path/to.sock, tcp://host:port
	ListenOptions
	// Token is the bearer token TCP listeners require.
	Token string
	// MetricsAddr, when set, is a separate listener serving only /metrics.
	MetricsAddr string
	// MaxConns caps the open connections of each TCP listener (the
	// metrics listener too); 0 means DefaultMaxConns. Unix sockets are not
	// capped: a flood on TCP leaves them working.
	MaxConns int
	// Metrics, when set, serves /metrics in place of the daemon's own
	// registry (Daemon.Metrics.Handler()); with neither, /metrics answers
	// 503.
	Metrics http.Handler
	Log     *slog.Logger
}

// DefaultMaxConns is --max-conns: far below the usual 1024 open files of
// a process, so that TCP clients cannot use up the descriptors the store
// and the unix sockets need.
const DefaultMaxConns = 256

// MaxMaxConns bounds --max-conns.
const MaxMaxConns = 1 << 20

func newHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: readHeaderTimeout, ReadTimeout: readTimeout,
		WriteTimeout: writeTimeout, IdleTimeout: idleTimeout, MaxHeaderBytes: 64 << 10,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
}

// Run serves on every listener until ctx is done, then stops accepting,
// lets in-flight requests finish (bounded) and returns. d is the daemon
// over the open store, or nil when the store was unavailable: then open
// is tried again with backoff, the server answering not ready meanwhile
// (start.go); a store that stays unavailable at start-up load is waited
// for the same way. Run closes the daemon (Daemon.Close: its goroutines
// have returned) before it returns; the store is the caller's to close,
// after.
func Run(ctx context.Context, d *Daemon, open Opener, o Options) error {
	if len(o.Listen) == 0 {
		return topo.Errorf(topo.ErrInvalid, "serve: give at least one --listen unix:///path/to.sock or tcp://host:port")
	}
	if (o.TLSCert == "") != (o.TLSKey == "") {
		return topo.Errorf(topo.ErrInvalid, "serve: --tls-cert and --tls-key go together")
	}
	if o.MaxConns == 0 {
		o.MaxConns = DefaultMaxConns
	}
	if o.MaxConns < 0 || o.MaxConns > MaxMaxConns {
		return topo.Errorf(topo.ErrInvalid, "serve: --max-conns %d: give 1 to %d connections per TCP listener", o.MaxConns, MaxMaxConns)
	}
	var ls []*listener
	closeAll := func() {
		for _, l := range ls {
			l.Close()
		}
	}
	for _, raw := range o.Listen {
		l, err := listen(raw, o.ListenOptions)
		if err != nil {
			closeAll()
			return err
		}
		if l.isTCP {
			l.Listener = netutil.LimitListener(l.Listener, o.MaxConns)
		}
		ls = append(ls, l)
		if l.isTCP && o.Token == "" {
			closeAll()
			return topo.Errorf(topo.ErrInvalid, "serve: --listen %s is TCP: give --token-file with the bearer token clients must send", raw)
		}
	}
	var ml net.Listener
	if o.MetricsAddr != "" {
		var err error
		if ml, err = net.Listen("tcp", o.MetricsAddr); err != nil {
			closeAll()
			return fmt.Errorf("--metrics-addr %s: %w", o.MetricsAddr, err)
		}
		ml = netutil.LimitListener(ml, o.MaxConns)
	}
	st := &starter{open: open, log: o.Log}
	var fronts []*lateHandler
	var metrics *lateHandler
	st.install = func(d *Daemon) {
		api := &API{Svc: d, Ready: d.Ready, Healthy: d.Healthy, Gate: d.Lost, Log: o.Log}
		for _, f := range fronts {
			f.set(api.Handler(f.token))
		}
		if metrics != nil {
			h := o.Metrics
			if h == nil && d.Metrics != nil {
				h = d.Metrics.Handler()
			}
			metrics.set(metricsMux(h))
		}
	}
	var servers []*http.Server
	var serving sync.WaitGroup          // every Serve goroutine; waited for before the daemon closes
	errc := make(chan error, len(ls)+2) // every server, and the start
	serve := func(s *http.Server, l net.Listener, name string) {
		servers = append(servers, s)
		o.Log.Info("listening", "on", name)
		serving.Add(1)
		go func() {
			defer serving.Done()
			if err := s.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("serve %s: %w", name, err)
			}
		}()
	}
	for _, l := range ls {
		token := ""
		if l.isTCP {
			token = o.Token
		}
		f := newLateHandler(st, token)
		fronts = append(fronts, f)
		serve(newHTTPServer(f, o.Log), l, l.url)
	}
	if ml != nil {
		metrics = newLateHandler(st, "")
		metrics.waiting = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { writeError(w, st.notReady()) })
		serve(newHTTPServer(metrics, o.Log), ml, "metrics "+o.MetricsAddr)
	}
	if d != nil {
		st.install(d)
	}
	sctx, stopStart := context.WithCancel(ctx)
	started := make(chan *Daemon, 1)
	go func() {
		dd := d
		err := st.run(sctx, &dd)
		started <- dd
		if err != nil {
			errc <- err
		}
	}()
	var runErr error
	select {
	case <-ctx.Done():
		o.Log.Info("stopping: finishing in-flight requests")
	case runErr = <-errc:
		o.Log.Warn("stopping", "error", runErr)
	}
	stopStart()
	d = <-started // the start goroutine honours sctx: it returns promptly
	shctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	for _, s := range servers {
		if err := s.Shutdown(shctx); err != nil {
			s.Close()
			runErr = errors.Join(runErr, fmt.Errorf("stop: in-flight requests still running after %s: %w", shutdownTimeout, err))
		}
	}
	serving.Wait() // Shutdown and Close make Serve return at once
	if d == nil {
		return runErr // the store never opened
	}
	if err := d.Close(); err != nil {
		runErr = errors.Join(runErr, fmt.Errorf("stop: write the last group: %w", err))
	}
	return runErr
}

// metricsMux serves only /metrics.
func metricsMux(h http.Handler) http.Handler {
	if h == nil {
		h = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "metrics are not wired into this build", http.StatusServiceUnavailable)
		})
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	return mux
}
