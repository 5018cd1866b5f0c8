package server

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/ipam"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

// Daemon is the ipam.Service of `netipam serve`: one store and one long-lived
// allocator whose pools are kept between requests.
type Daemon struct {
	st    *store.Store
	group *store.GroupCommitter
	alloc *alloc.Allocator
	ready atomic.Bool
	// Metrics, when set, records every request (a nil *Metrics records
	// nothing).
	Metrics *Metrics
	// Log, when set, receives what goes wrong in the background.
	Log *slog.Logger
	// expansions queues the TORs to grow in the background
	// (expand_daemon.go); set by NewDaemon, before anything is served.
	expansions *expansionQueue

	// The daemon owns its goroutines (the feed follower, the expansion
	// loop, the store watcher): Load starts them with a context Close
	// cancels, and Close waits for them (wg) before it returns.
	mu      sync.Mutex
	closed  bool
	stop    context.CancelFunc // cancels the goroutines' context; nil before Load
	wg      sync.WaitGroup
	running atomic.Int32 // goroutines started by goBackground not yet returned
	stopped func()       // test hook: called by Close once every goroutine has returned
}

var _ ipam.Service = (*Daemon)(nil)

// followEvery is how often the daemon reads the ledger's change feed: an
// address released by another writer is allocatable again within it.
const followEvery = 100 * time.Millisecond

// NewDaemon returns the daemon's ipam.Service over an open store; it is not
// ready until Load has run. Its allocator writes through a group
// committer: concurrent requests share one transaction (or one rqlite
// request), and a failing one fails alone.
func NewDaemon(st *store.Store) *Daemon {
	d := &Daemon{st: st, expansions: newExpansionQueue()}
	d.group = store.NewGroupCommitter(st, store.GroupOptions{
		OnBatch: func(requests, _ int, _ time.Duration) { d.Metrics.ObserveBatch(requests) },
		OnSplit: func(int) { d.Metrics.Conflict() },
	})
	d.alloc = alloc.NewAllocator(d.group)
	return d
}

// Load is the start-up load: every pool from the allocations table, then
// the ledger's change feed from the event read before the load on, until
// ctx ends or Close. The daemon is ready once it returns nil. A daemon
// loads once: Load after a successful Load, or after Close, is an error.
func (d *Daemon) Load(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed || d.stop != nil {
		return fmt.Errorf("load %s: the daemon is closed or already loaded", d.st.URL())
	}
	start := time.Now()
	from, err := d.st.LastEventID(ctx)
	if err != nil {
		return fmt.Errorf("read the ledger's position in %s: %w", d.st.URL(), err)
	}
	rows, err := d.st.Subnets(ctx, topo.SubnetFilter{})
	if err != nil {
		return fmt.Errorf("load subnets from %s: %w", d.st.URL(), err)
	}
	subnets := make([]topo.Subnet, len(rows))
	for i, r := range rows {
		subnets[i] = r.Subnet
	}
	if err := d.alloc.LoadAll(ctx, subnets); err != nil {
		return fmt.Errorf("build the pools from %s: %w", d.st.URL(), err)
	}
	d.Metrics.PoolRebuild(time.Since(start))
	d.warnSettings(ctx)
	ctx, d.stop = context.WithCancel(ctx)
	d.goBackground(func() {
		d.alloc.Follow(ctx, d.st, from, followEvery, func(err error) { //nolint:errcheck // returns nil when ctx ends
			d.Metrics.StoreError()
			if d.Log != nil {
				d.Log.Warn("read the ledger's change feed", "error", err)
			}
		})
	})
	d.goBackground(func() { d.expandLoop(ctx) })
	d.goBackground(func() { d.watchStore(ctx) })
	d.ready.Store(true)
	return nil
}

// goBackground runs f in a goroutine that Close waits for.
func (d *Daemon) goBackground(f func()) {
	d.wg.Add(1)
	d.running.Add(1)
	go func() {
		defer d.wg.Done()
		defer d.running.Add(-1)
		f()
	}()
}

// watchStore checks, every followEvery until ctx ends, that the store's
// file is still the one opened (store.CheckIdentity); once it is not, the
// daemon answers every request 503 naming the path (Lost), and its writes
// are refused. It says so once.
func (d *Daemon) watchStore(ctx context.Context) {
	t := time.NewTicker(followEvery)
	defer t.Stop()
	for {
		if err := d.st.CheckIdentity(); err != nil {
			d.Metrics.StoreError()
			if d.Log != nil {
				d.Log.Error("store lost: answering 503 until restarted", "error", err)
			}
			return // the loss is for good: Lost answers from now on
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Lost says, once the store's file was found deleted or replaced, why
// nothing more is served (nil while it is in place).
func (d *Daemon) Lost() error { return d.st.Lost() }

// Close stops the daemon's goroutines and waits for them, then writes what
// the group committer was handed and stops it; call it once the listeners
// are shut down, and before the store is closed. A second Close does
// nothing.
func (d *Daemon) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil
	}
	d.closed = true
	d.ready.Store(false)
	if d.stop != nil {
		d.stop()
	}
	d.wg.Wait()
	if d.stopped != nil {
		d.stopped()
	}
	return d.group.Close()
}

// Ready says whether Load has finished and the store is still the one
// opened.
func (d *Daemon) Ready() bool { return d.ready.Load() && d.st.Lost() == nil }

// Healthy says whether the store answers (a cheap query) and is still the
// file opened.
func (d *Daemon) Healthy(ctx context.Context) error {
	if err := d.st.CheckIdentity(); err != nil {
		return err
	}
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
	out, err = d.allocateExpanding(ctx, req)
	if err == nil {
		d.Metrics.Allocated(len(out))
	}
	return out, err
}

// Release releases through the store and frees the addresses in the pools.
func (d *Daemon) Release(ctx context.Context, f topo.AllocationFilter, kind string) (released []topo.Allocation, err error) {
	defer d.timed(OpRelease)(&err)
	if released, err = d.group.Release(ctx, f, kind); err != nil {
		return nil, err
	}
	d.alloc.Forget(released)
	d.Metrics.Released(len(released))
	return released, nil
}

// Allocations lists from the store.
func (d *Daemon) Allocations(ctx context.Context, f topo.AllocationFilter) (out []topo.Allocation, err error) {
	defer d.timed(OpAllocations)(&err)
	return d.st.Allocations(ctx, f)
}

// Subnets lists from the store.
func (d *Daemon) Subnets(ctx context.Context, f topo.SubnetFilter) (out []topo.SubnetRow, err error) {
	defer d.timed(OpSubnets)(&err)
	return d.st.Subnets(ctx, f)
}

// NodeTOR reads the node's TOR from the store.
func (d *Daemon) NodeTOR(ctx context.Context, node string) (tor string, err error) {
	defer d.timed(OpNodeTOR)(&err)
	return d.st.NodeTOR(ctx, node)
}
