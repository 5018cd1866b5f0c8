package server

import (
	"context"
	"net/netip"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/cmd/server/api"
	"github.com/netipam/netipam/topo"
)

// Wire is a Service in the API's own terms (api.Filter, api.SubnetQuery,
// api.Subnet), the terms api.Client speaks: the CNI plugin asks either
// through the same methods without importing the store.
type Wire struct {
	Svc Service
}

// Allocate allocates.
func (w Wire) Allocate(ctx context.Context, req alloc.Request) ([]topo.Allocation, error) {
	return w.Svc.Allocate(ctx, req)
}

// Release releases what the filter selects.
func (w Wire) Release(ctx context.Context, f api.Filter, kind string) ([]topo.Allocation, error) {
	return w.Svc.Release(ctx, StoreFilter(f), kind)
}

// Allocations lists what the filter selects.
func (w Wire) Allocations(ctx context.Context, f api.Filter) ([]topo.Allocation, error) {
	return w.Svc.Allocations(ctx, StoreFilter(f))
}

// Subnets lists the subnets the query selects.
func (w Wire) Subnets(ctx context.Context, q api.SubnetQuery) ([]api.Subnet, error) {
	rows, err := w.Svc.Subnets(ctx, topo.SubnetFilter{TOR: q.TOR, ForTOR: q.ForTOR, Purpose: q.Purpose, CIDR: q.CIDR})
	if err != nil {
		return nil, err
	}
	return toSubnetsJSON(rows), nil
}

// NodeTOR gives the node's TOR.
func (w Wire) NodeTOR(ctx context.Context, node string) (string, error) {
	return w.Svc.NodeTOR(ctx, node)
}

// Routes gives the fewest prefixes covering every subnet below a level.
func (w Wire) Routes(ctx context.Context, level topo.Level, id string) ([]netip.Prefix, error) {
	return w.Svc.Routes(ctx, level, id)
}
