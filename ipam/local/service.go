package local

import (
	"context"
	"io"
	"net/netip"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/ipam"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

// Service is ipam.Service in process over a store, for a one-shot call: its
// allocator reads only the stretches of the subnets it looks at.
type Service struct {
	Store *store.Store
	// Warn, when set, receives what an allocation's expansion could not
	// do (the pod has no room) and what it did (one line each).
	Warn io.Writer
}

var _ ipam.Service = Service{}

// Allocate allocates with a one-shot allocator, growing a full TOR first
// (see allocateExpanding).
func (l Service) Allocate(ctx context.Context, req alloc.Request) ([]topo.Allocation, error) {
	return l.allocateExpanding(ctx, req)
}

// Release releases from the store.
func (l Service) Release(ctx context.Context, f topo.AllocationFilter, kind string) ([]topo.Allocation, error) {
	return l.Store.Release(ctx, f, kind)
}

// Allocations lists from the store.
func (l Service) Allocations(ctx context.Context, f topo.AllocationFilter) ([]topo.Allocation, error) {
	return l.Store.Allocations(ctx, f)
}

// Subnets lists from the store.
func (l Service) Subnets(ctx context.Context, f topo.SubnetFilter) ([]topo.SubnetRow, error) {
	return l.Store.Subnets(ctx, f)
}

// NodeTOR reads the node's TOR from the store.
func (l Service) NodeTOR(ctx context.Context, node string) (string, error) {
	return l.Store.NodeTOR(ctx, node)
}

// Routes aggregates from the store.
func (l Service) Routes(ctx context.Context, level topo.Level, id string) ([]netip.Prefix, error) {
	return l.Store.Routes(ctx, level, id)
}
