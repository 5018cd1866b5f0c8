package ipam

import (
	"context"
	"net/netip"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/topo"
)

// Service is what the CLI, the CNI plugin and the HTTP API ask of netipam
// about allocations. Errors carry the kinds of package topo (ErrNotFound,
// ErrConflict, ErrExhausted, ErrUnavailable, ErrInvalid), whichever
// implementation answers, so exit codes and CNI codes do not depend on the
// transport.
type Service interface {
	// Allocate hands out addresses, all or nothing (alloc.Allocator).
	Allocate(ctx context.Context, req alloc.Request) ([]topo.Allocation, error)
	// Release frees what the filter selects, in one atomic batch, and
	// returns it; kind is the ledger's "release" or "gc".
	Release(ctx context.Context, f topo.AllocationFilter, kind string) ([]topo.Allocation, error)
	// Allocations lists what the filter selects, in address order.
	Allocations(ctx context.Context, f topo.AllocationFilter) ([]topo.Allocation, error)
	// Subnets lists subnets with where they sit and their use.
	Subnets(ctx context.Context, f topo.SubnetFilter) ([]topo.SubnetRow, error)
	// NodeTOR gives the TOR a node is registered on (topo.ErrNotFound if
	// it is not).
	NodeTOR(ctx context.Context, node string) (string, error)
	// Routes gives the fewest prefixes covering every subnet below a TOR,
	// pod or zone (topo.ErrNotFound for an unknown id).
	Routes(ctx context.Context, level topo.Level, id string) ([]netip.Prefix, error)
	// Adopt takes over another IPAM's leases on a node as allocations of
	// a network, in one atomic batch unless a lease conflicts (see
	// alloc.Adopt); `netipam migrate host-local` uses it.
	Adopt(ctx context.Context, req AdoptRequest) (alloc.Adoption, error)
}
