package server

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

// Daemon is the Service of `netipam serve`: one store and one long-lived
// allocator whose pools are kept between requests.
type Daemon struct {
	st     *store.Store
	ledger alloc.Ledger
	alloc  *alloc.Allocator
	ready  atomic.Bool
	// Metrics, when set, records every request (a nil *Metrics records
	// nothing).
	Metrics *Metrics
}

var _ Service = (*Daemon)(nil)

// newLedger is what the daemon's allocator writes through. MERGE SEAM: the
// group-commit decorator (store.NewGroupCommitter) goes here.
func newLedger(st *store.Store) alloc.Ledger { return st }

// NewDaemon returns the daemon's Service over an open store; it is not
// ready until Load has run.
func NewDaemon(st *store.Store) *Daemon {
	l := newLedger(st)
	return &Daemon{st: st, ledger: l, alloc: alloc.NewAllocator(l)}
}

// Load is the start-up load; the daemon is ready once it returns nil.
// MERGE SEAM: (*alloc.Allocator).LoadAll (every pool from the allocations
// table) and Follow (the ledger's change feed) go here. For now it reads
// the topology, so readiness at least means the store answers with a
// current schema.
func (d *Daemon) Load(ctx context.Context) error {
	if _, err := d.st.Subnets(ctx, store.SubnetFilter{}); err != nil {
		return fmt.Errorf("load subnets from %s: %w", d.st.URL(), err)
	}
	d.ready.Store(true)
	return nil
}

// Ready says whether Load has finished.
func (d *Daemon) Ready() bool { return d.ready.Load() }

// Healthy says whether the store answers (a cheap query).
func (d *Daemon) Healthy(ctx context.Context) error {
	if _, err := d.st.SchemaVersion(ctx); err != nil {
		return fmt.Errorf("ask %s for its schema version: %w", d.st.URL(), err)
	}
	return nil
}

// timed starts timing a request; the function it returns records the
// request's operation, result (from its error, read when it runs) and time.
func (d *Daemon) timed(op string) func(err *error) {
	start := time.Now()
	return func(err *error) { d.Metrics.ObserveRequest(op, ResultOf(*err), time.Since(start)) }
}

// Allocate allocates with the long-lived allocator.
func (d *Daemon) Allocate(ctx context.Context, req alloc.Request) (out []topo.Allocation, err error) {
	defer d.timed(OpAllocate)(&err)
	out, err = d.alloc.Allocate(ctx, req)
	if err == nil {
		d.Metrics.Allocated(len(out))
	}
	return out, err
}

// Release releases through the store and frees the addresses in the pools.
func (d *Daemon) Release(ctx context.Context, f store.AllocationFilter, kind string) (released []topo.Allocation, err error) {
	defer d.timed(OpRelease)(&err)
	if released, err = d.st.Release(ctx, f, kind); err != nil {
		return nil, err
	}
	d.alloc.Forget(released)
	d.Metrics.Released(len(released))
	return released, nil
}

// Allocations lists from the store.
func (d *Daemon) Allocations(ctx context.Context, f store.AllocationFilter) (out []topo.Allocation, err error) {
	defer d.timed(OpAllocations)(&err)
	return d.st.Allocations(ctx, f)
}

// Subnets lists from the store.
func (d *Daemon) Subnets(ctx context.Context, f store.SubnetFilter) (out []store.SubnetRow, err error) {
	defer d.timed(OpSubnets)(&err)
	return d.st.Subnets(ctx, f)
}

// NodeTOR reads the node's TOR from the store.
func (d *Daemon) NodeTOR(ctx context.Context, node string) (tor string, err error) {
	defer d.timed(OpNodeTOR)(&err)
	return d.st.NodeTOR(ctx, node)
}
