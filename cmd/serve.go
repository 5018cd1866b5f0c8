package cmd

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/netipam/netipam/server"
	"github.com/netipam/netipam/server/api"
	"github.com/netipam/netipam/store"
)

// serveOptions are `netipam serve`'s flags.
type serveOptions struct {
	server.Options
	tokenFile string
	logLevel  string
}

func newServeCmd(a *app) *cobra.Command {
	var o serveOptions
	c := &cobra.Command{
		Use:   "serve",
		Short: "Run the server: pools in memory, a JSON API on a unix socket and TCP",
		Long: `serve keeps every pool in memory and answers allocate, release and queries
over a JSON HTTP API (/v1/...) on unix sockets (mode 0660) and TCP (bearer
token required, TLS with --tls-cert/--tls-key). /readyz turns ready once the
pools are loaded; /healthz says whether the store answers. A store that is
unavailable at start (an rqlite cluster without a leader) is waited for,
retrying with backoff: /healthz answers 200, /readyz and every request 503
until it answers. A SQLite file deleted or replaced while serving makes
/healthz, /readyz and every request answer 503 naming it, until restarted.
SIGTERM or SIGINT stops accepting, finishes in-flight requests and exits 0.
It never creates a store: run netipam init or topo import first.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			var level slog.Level
			if err := level.UnmarshalText([]byte(o.logLevel)); err != nil {
				return usagef("--log-level %q: use debug, info, warn or error", o.logLevel)
			}
			if o.MaxConns < 1 || o.MaxConns > server.MaxMaxConns {
				return usagef("--max-conns %d: give 1 to %d connections per TCP listener", o.MaxConns, server.MaxMaxConns)
			}
			o.Log = slog.New(slog.NewTextHandler(a.io.Err, &slog.HandlerOptions{Level: level}))
			if o.tokenFile != "" {
				var err error
				if o.Token, err = api.ReadTokenFile(o.tokenFile); err != nil {
					return usagef("--token-file: %w", err)
				}
				if o.Token == "" {
					return usagef("--token-file %s is empty: write a long random token in it", o.tokenFile)
				}
			}
			open := func(ctx context.Context) (*server.Daemon, error) {
				st, err := a.open(ctx)
				if err != nil {
					return nil, err
				}
				o.Log.Info("store open", "url", st.URL())
				d := server.NewDaemon(st)
				d.Metrics = server.NewMetrics(server.NewRegistry(), st)
				d.Metrics.WatchDaemon(d)
				d.Log = o.Log
				return d, nil
			}
			// A store that is unavailable (an rqlite cluster without a
			// leader) is waited for, not ready meanwhile; any other
			// failure stops here, before listening.
			d, err := open(c.Context())
			if err != nil && !errors.Is(err, store.ErrUnavailable) {
				return err
			}
			if err := server.Run(c.Context(), d, open, o.Options); err != nil {
				return fmt.Errorf("serve: %w", err)
			}
			o.Log.Info("stopped")
			return nil
		},
	}
	f := c.Flags()
	f.StringArrayVar(&o.Listen, "listen", nil, "where to listen, repeatable: unix:///run/netipam/netipam.sock or tcp://127.0.0.1:9443")
	f.StringVar(&o.tokenFile, "token-file", "", "file holding the bearer token TCP clients must send (required with a tcp:// listener)")
	f.StringVar(&o.TLSCert, "tls-cert", "", "PEM certificate for TCP listeners (with --tls-key)")
	f.StringVar(&o.TLSKey, "tls-key", "", "PEM private key for TCP listeners (with --tls-cert)")
	f.StringVar(&o.SocketGroup, "socket-group", "", "group (name or id) owning the unix sockets")
	f.StringVar(&o.MetricsAddr, "metrics-addr", "", "host:port of a separate listener serving only /metrics")
	f.IntVar(&o.MaxConns, "max-conns", server.DefaultMaxConns, "open connections each TCP listener accepts (more wait); unix sockets are not capped")
	f.StringVar(&o.logLevel, "log-level", "info", "log level: debug (one line per request), info, warn or error")
	return c
}
