package cni

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/ipam"
	"github.com/netipam/netipam/server/api"
	"github.com/netipam/netipam/topo"
)

// errHandover: the call needs the store and this start of the plugin has
// none (the light start, early.go); nothing was asked of anyone yet.
var errHandover = errors.New("the store is needed: hand the call over")

// service opens what the plugin asks: the server the config names, else the
// store in process (never creating it). The returned function closes it.
func (p *plugin) service(c *config) (ipam.Service, func(), error) {
	openStore := func() (ipam.Service, func(), error) {
		if p.opts.OpenStore == nil {
			return nil, nil, errHandover
		}
		// Never create a store: a mistyped path or a deleted directory
		// must fail the call, not answer from an empty store.
		return p.opts.OpenStore(p.ctx, c.Store)
	}
	if c.Server == "" {
		return openStore()
	}
	token := ""
	if c.TokenFile != "" {
		var err error
		if token, err = api.ReadTokenFile(c.TokenFile); err != nil {
			return nil, nil, configError{fmt.Errorf("ipam.token_file: %w", err)}
		}
	}
	cl, err := api.NewClientWith(c.Server, token, api.ClientOptions{CAFile: c.ServerCA})
	if err != nil {
		return nil, nil, configError{fmt.Errorf("ipam.server: %w", err)}
	}
	f := &fallback{server: cl, url: c.Server, store: c.Store, log: os.Stderr}
	if c.StoreSet {
		f.open = openStore
	}
	return f, f.close, nil
}

// fallback asks the server and, only when the server cannot be reached at
// all (no socket, connection refused) and the config names the store too,
// the store directly, saying so on stderr. Once the server has answered a
// call, it never falls back: the server may have acted.
type fallback struct {
	server   ipam.Service
	url      string
	store    string
	open     func() (ipam.Service, func(), error) // nil: no fallback
	log      io.Writer
	answered bool
	local    ipam.Service
	closer   func()
}

var _ ipam.Service = (*fallback)(nil)

func (f *fallback) try(call func(ipam.Service) error) error {
	if f.local != nil {
		return call(f.local)
	}
	err := call(f.server)
	if !errors.Is(err, api.ErrUnreachable) {
		f.answered = true
		return err
	}
	if f.answered || f.open == nil {
		return err
	}
	local, closer, oerr := f.open()
	if errors.Is(oerr, errHandover) {
		return oerr
	}
	if oerr != nil {
		return fmt.Errorf("server %s cannot be reached and the store cannot be opened: %w", f.url, oerr)
	}
	fmt.Fprintf(f.log, "netipam: server %s cannot be reached (%v): using the store %s directly\n", f.url, err, f.store)
	f.local, f.closer = local, closer
	return call(local)
}

func (f *fallback) close() {
	if f.closer != nil {
		f.closer()
	}
}

func (f *fallback) Allocate(ctx context.Context, req alloc.Request) (out []topo.Allocation, err error) {
	err = f.try(func(s ipam.Service) error { out, err = s.Allocate(ctx, req); return err })
	return out, err
}

func (f *fallback) Release(ctx context.Context, fl topo.AllocationFilter, kind string) (out []topo.Allocation, err error) {
	err = f.try(func(s ipam.Service) error { out, err = s.Release(ctx, fl, kind); return err })
	return out, err
}

func (f *fallback) Allocations(ctx context.Context, fl topo.AllocationFilter) (out []topo.Allocation, err error) {
	err = f.try(func(s ipam.Service) error { out, err = s.Allocations(ctx, fl); return err })
	return out, err
}

func (f *fallback) Subnets(ctx context.Context, q topo.SubnetFilter) (out []topo.SubnetRow, err error) {
	err = f.try(func(s ipam.Service) error { out, err = s.Subnets(ctx, q); return err })
	return out, err
}

func (f *fallback) NodeTOR(ctx context.Context, node string) (tor string, err error) {
	err = f.try(func(s ipam.Service) error { tor, err = s.NodeTOR(ctx, node); return err })
	return tor, err
}

func (f *fallback) Adopt(ctx context.Context, req ipam.AdoptRequest) (ad alloc.Adoption, err error) {
	err = f.try(func(s ipam.Service) error { ad, err = s.Adopt(ctx, req); return err })
	return ad, err
}
