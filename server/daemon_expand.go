package server

import (
	"context"
	"sync"
	"time"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/ipam/local"
	"github.com/netipam/netipam/topo"
)

// The server grows a TOR before it is full: every allocation marks the
// TOR's purpose and family it took from, and one background loop checks
// the marked ones (three indexed reads each, at most every
// expandEvery) and claims a block where the threshold is crossed. A TOR
// found full by a request is grown in the request, as the CLI does.

// expandEvery bounds how often the background loop checks the marked
// groups.
const expandEvery = 100 * time.Millisecond

// expandTimeout bounds one background round of expansions.
const expandTimeout = 30 * time.Second

// expansionQueue holds the groups to check, each once however many
// allocations marked it.
type expansionQueue struct {
	mu    sync.Mutex
	dirty map[local.ExpandGroup]bool
	kick  chan struct{}
}

func newExpansionQueue() *expansionQueue {
	return &expansionQueue{dirty: map[local.ExpandGroup]bool{}, kick: make(chan struct{}, 1)}
}

// mark queues the groups of allocs; it never blocks.
func (q *expansionQueue) mark(allocs []topo.Allocation) {
	q.mu.Lock()
	for _, g := range local.GroupsOf(allocs) {
		q.dirty[g] = true
	}
	q.mu.Unlock()
	select {
	case q.kick <- struct{}{}:
	default:
	}
}

// take empties the queue.
func (q *expansionQueue) take() map[local.ExpandGroup]bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	d := q.dirty
	q.dirty = map[local.ExpandGroup]bool{}
	return d
}

// allocateExpanding allocates with the long-lived allocator; a TOR found
// full is grown and the request made again, and every allocation queues
// its TOR for the background check.
func (d *Daemon) allocateExpanding(ctx context.Context, req alloc.Request) ([]topo.Allocation, error) {
	out, err := local.AllocateGrowing(ctx, d.st, req, d.alloc.Allocate, d.reportExpansion)
	if err == nil {
		d.expansions.mark(out)
	}
	return out, err
}

// expandLoop checks the queued groups until ctx ends.
func (d *Daemon) expandLoop(ctx context.Context) {
	t := time.NewTicker(expandEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-d.expansions.kick:
		}
		if dirty := d.expansions.take(); len(dirty) > 0 {
			groups := make([]local.ExpandGroup, 0, len(dirty))
			for g := range dirty {
				groups = append(groups, g)
			}
			xctx, cancel := context.WithTimeout(ctx, expandTimeout)
			local.ExpandNeeded(xctx, d.st, groups, d.reportExpansion)
			cancel()
		}
		select { // at most one round every expandEvery
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// reportExpansion logs what an expansion did or why it could not.
func (d *Daemon) reportExpansion(res local.ExpandResult, err error) {
	if d.Log == nil {
		return
	}
	switch {
	case err != nil:
		d.Log.Warn("expand", "error", err)
	case res.Claimed:
		d.Log.Info("expanded", "tor", res.TOR, "purpose", res.Purpose, "family", res.Family, "block", res.Block.String(),
			"detail", res.Detail())
	}
}
