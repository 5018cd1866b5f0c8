package cmd

import (
	"context"
	"io"

	"github.com/netipam/netipam/ipam"
	"github.com/netipam/netipam/ipam/local"
	"github.com/netipam/netipam/server"
	"github.com/netipam/netipam/server/api"
	"github.com/netipam/netipam/store"
)

// IOStreams are where a command reads and writes. TTY says whether Out is a
// terminal: styled tables there, plain tab-separated text otherwise.
type IOStreams struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
	TTY bool
}

// Environment variables naming the server, its token file and its CA.
const (
	EnvServer    = "NETIPAM_SERVER"
	EnvTokenFile = "NETIPAM_TOKEN_FILE"
	EnvServerCA  = "NETIPAM_SERVER_CA"
)

// app is what every command shares: the streams and the global flags.
type app struct {
	io        IOStreams
	storeURL  string
	serverURL string
	tokenFile string
	serverCA  string
	output    string
	st        *store.Store
}

// open opens the existing store the flags name, for reading and writing,
// once per process. It never creates a store.
func (a *app) open(ctx context.Context) (*store.Store, error) {
	return a.openMode(ctx, store.ModeExisting)
}

// openCreate opens the store, creating it (file and schema) when missing:
// only the commands that create topology use it.
func (a *app) openCreate(ctx context.Context) (*store.Store, error) {
	return a.openMode(ctx, store.ModeCreate)
}

// openRead opens the existing store for reading only.
func (a *app) openRead(ctx context.Context) (*store.Store, error) {
	return a.openMode(ctx, store.ModeReadOnly)
}

func (a *app) openMode(ctx context.Context, mode store.Mode) (*store.Store, error) {
	if a.st != nil {
		return a.st, nil
	}
	url := a.storeURL
	if url == "" {
		url = store.DefaultURL()
	}
	st, err := store.OpenMode(ctx, url, mode)
	if err != nil {
		return nil, err
	}
	a.st = st
	return st, nil
}

// close closes the store if a command opened it.
func (a *app) close() {
	if a.st != nil {
		a.st.Close()
		a.st = nil
	}
}

func (a *app) json() bool { return a.output == "json" }

// service gives the Service allocations are read and changed through: the
// server --server names, else the store the flags name, in process (opened
// as mode allows).
func (a *app) service(ctx context.Context, mode store.Mode) (ipam.Service, error) {
	if a.serverURL != "" {
		token := ""
		if a.tokenFile != "" {
			var err error
			if token, err = api.ReadTokenFile(a.tokenFile); err != nil {
				return nil, usagef("--token-file: %w", err)
			}
		}
		c, err := server.NewClientWith(a.serverURL, token, api.ClientOptions{CAFile: a.serverCA})
		if err != nil {
			return nil, usagef("--server: %w", err)
		}
		return c, nil
	}
	st, err := a.openMode(ctx, mode)
	if err != nil {
		return nil, err
	}
	return local.Service{Store: st, Warn: a.io.Err}, nil
}
