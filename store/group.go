package store

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/netipam/netipam/topo"
)

// GroupOptions bound a GroupCommitter's groups and give it hooks for
// metrics. Zero fields take the defaults.
type GroupOptions struct {
	// MaxRequests bounds the callers written together (default 128).
	MaxRequests int
	// MaxStatements bounds the statements of one group (default 1024).
	MaxStatements int
	// MaxBytes bounds the SQL text and arguments of one group, roughly
	// (default 1 MiB): an rqlite request and its Raft entry stay small.
	MaxBytes int
	// OnBatch, if set, is called after every group's write with the
	// callers and statements it carried and how long the write took.
	OnBatch func(requests, statements int, d time.Duration)
	// OnSplit, if set, is called when a group's batch failed and its
	// members are written again in two halves (the cost of a failing
	// request: a conflict, a bad static address).
	OnSplit func(requests int)
}

func (o GroupOptions) withDefaults() GroupOptions {
	if o.MaxRequests <= 0 {
		o.MaxRequests = 128
	}
	if o.MaxStatements <= 0 {
		o.MaxStatements = 1024
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = 1 << 20
	}
	return o
}

// ErrClosed: the GroupCommitter was closed.
var ErrClosed = errors.New("group committer closed")

// GroupCommitter writes the allocations and releases of concurrent callers
// together: one Backend.Exec (one SQLite transaction, one rqlite request)
// per group, which is where a server's write throughput comes from. A group
// starts as soon as the previous one is written, with whoever waits then: a
// lone caller waits for no timer. A caller is answered once its change is
// durable. When a group's batch fails, its members are written again in
// halves until the failing ones stand alone, so that one request's conflict
// never fails another's. Reads go to the embedded Store.
type GroupCommitter struct {
	*Store
	opt  GroupOptions
	reqs chan *groupReq
	stop chan struct{}
	done chan struct{}
	once sync.Once
}

// groupReq is one caller's change: allocations to record (merged with the
// group's other allocations into multi-row INSERTs) or a release's
// statements.
type groupReq struct {
	ctx    context.Context
	allocs []topo.Allocation
	stmts  []Stmt
	n      int // statements it adds to a group, roughly
	size   int
	res    chan error // buffered: the writer never blocks on a caller
}

// NewGroupCommitter starts a group committer over st; Close stops it.
func NewGroupCommitter(st *Store, opt GroupOptions) *GroupCommitter {
	g := &GroupCommitter{Store: st, opt: opt.withDefaults(), reqs: make(chan *groupReq),
		stop: make(chan struct{}), done: make(chan struct{})}
	go g.loop()
	return g
}

// InsertAllocations records allocations atomically, all or none, in the
// next group (see Store.InsertAllocations).
func (g *GroupCommitter) InsertAllocations(ctx context.Context, allocs []topo.Allocation) error {
	if len(allocs) == 0 {
		return nil
	}
	if err := g.submit(ctx, &groupReq{allocs: allocs, n: 2, size: 200 * len(allocs)}); err != nil {
		return fmt.Errorf("record %d allocation(s): %w", len(allocs), err)
	}
	return nil
}

// Release frees what a filter selects in the next group and reads back,
// by its own token, what this call freed (see Store.Release).
func (g *GroupCommitter) Release(ctx context.Context, f topo.AllocationFilter, kind string) ([]topo.Allocation, error) {
	stmts, token, err := g.releaseStmts(f, kind)
	if err != nil {
		return nil, err
	}
	if err := g.submit(ctx, &groupReq{stmts: stmts, n: len(stmts), size: stmtsSize(stmts)}); err != nil {
		return nil, fmt.Errorf("release: %w", err)
	}
	return g.readReleased(ctx, token)
}

// Close writes what callers already handed over and stops. Later calls
// fail with ErrClosed.
func (g *GroupCommitter) Close() error {
	g.once.Do(func() { close(g.stop) })
	<-g.done
	return nil
}

// submit hands stmts to the writer and waits for their outcome. A caller
// whose ctx ends first gets ErrUnavailable: its change may or may not be
// written (the database stays the judge; a pool that forgets it learns it
// again from a conflict or the change feed).
func (g *GroupCommitter) submit(ctx context.Context, r *groupReq) error {
	r.ctx, r.res = ctx, make(chan error, 1)
	select {
	case g.reqs <- r:
	case <-g.stop:
		return fmt.Errorf("%w: %w: the server is stopping: try again", ErrUnavailable, ErrClosed)
	case <-ctx.Done():
		return fmt.Errorf("%w: waiting for a group commit: %w", ErrUnavailable, ctx.Err())
	}
	select {
	case err := <-r.res:
		return err
	case <-ctx.Done():
		return fmt.Errorf("%w: waiting for a group commit (the change may be written): %w", ErrUnavailable, ctx.Err())
	}
}

func stmtsSize(stmts []Stmt) int {
	n := 0
	for _, st := range stmts {
		n += len(st.SQL)
		for _, a := range st.Args {
			if s, ok := a.(string); ok {
				n += len(s)
			} else {
				n += 8
			}
		}
	}
	return n
}

// loop gathers groups and writes them until Close; then it writes what is
// still handed over and returns.
func (g *GroupCommitter) loop() {
	defer close(g.done)
	var carry *groupReq // a request that did not fit in the previous group
	for {
		first := carry
		carry = nil
		if first == nil {
			select {
			case first = <-g.reqs:
			case <-g.stop:
				return // submit never hands over after stop: every sender got its answer
			}
		}
		batch, stmts, size := []*groupReq{first}, first.n, first.size
	gather:
		for len(batch) < g.opt.MaxRequests {
			select {
			case r := <-g.reqs:
				if stmts+r.n > g.opt.MaxStatements || size+r.size > g.opt.MaxBytes {
					carry = r
					break gather
				}
				batch, stmts, size = append(batch, r), stmts+r.n, size+r.size
			default:
				break gather
			}
		}
		g.write(batch)
		if len(batch) > 1 {
			// The callers just answered are busy making their next
			// request: let them hand it over to the next group rather
			// than split the callers into two alternating halves. A lone
			// caller never waits for this.
			runtime.Gosched()
		}
	}
}

// write commits a group; a failed batch is split in halves until each
// failing member stands alone with its own error. A failure of the store
// itself (unavailable, read-only, full, corrupt) is everyone's answer.
func (g *GroupCommitter) write(batch []*groupReq) {
	live := batch[:0]
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.res <- fmt.Errorf("%w: %w", ErrUnavailable, err) // gave up before its write: nothing written
			continue
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return
	}
	// Releases first: an allocation in the group can never need one (a
	// caller is answered only after its release is written), and the
	// inserts of every caller go in one multi-row INSERT per table.
	var stmts []Stmt
	var allocs []topo.Allocation
	for _, r := range live {
		stmts = append(stmts, r.stmts...)
		allocs = append(allocs, r.allocs...)
	}
	stmts = append(stmts, g.insertMixedRows(allocs)...)
	start := time.Now()
	_, err := g.db.Exec(context.Background(), stmts...)
	if g.opt.OnBatch != nil {
		g.opt.OnBatch(len(live), len(stmts), time.Since(start))
	}
	if err == nil || len(live) == 1 || storeWide(err) {
		for _, r := range live {
			r.res <- err
		}
		return
	}
	if g.opt.OnSplit != nil {
		g.opt.OnSplit(len(live))
	}
	half := len(live) / 2
	g.write(live[:half:half])
	g.write(live[half:])
}

// storeWide reports whether an error is the store's, not one request's.
func storeWide(err error) bool {
	return errors.Is(err, ErrUnavailable) || errors.Is(err, ErrReadOnly) || errors.Is(err, ErrNoSpace) ||
		errors.Is(err, ErrCorrupt)
}
