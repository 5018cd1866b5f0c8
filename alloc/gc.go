package alloc

import (
	"sort"
	"time"

	"github.com/netipam/netipam/topo"
)

// Garbage collection is two-phase: a run marks a node's allocations that
// are missing from the attachments that really exist on it; only a later
// run releases a mark, once it has been missing for the grace period and
// the allocation is at least that old. DecideGC is that rule, pure: the
// store reads what it needs and applies what it returns, and its batch
// checks the same conditions again, so that what changed in between is
// never released.

// GCAction is what a run does with one allocation.
type GCAction string

// Actions, in the order a report lists them.
const (
	GCRelease GCAction = "release" // missing past the grace period: released
	GCMark    GCAction = "mark"    // missing now for the first time: marked
	GCWait    GCAction = "wait"    // marked before, still missing, within the grace period
	GCUnmark  GCAction = "unmark"  // marked before, present again: unmarked
)

// LiveSet is the attachments that really exist on a node. ByContainer
// matches an allocation by its container alone, whatever its network and
// interface (what `crictl pods -o json` gives: pod sandbox IDs only).
type LiveSet struct {
	ByContainer bool
	attachments map[topo.Attachment]struct{}
	containers  map[string]struct{}
}

// NewLiveSet builds a set from attachments (with byContainer, only their
// containers count).
func NewLiveSet(byContainer bool, as []topo.Attachment) LiveSet {
	l := LiveSet{ByContainer: byContainer, attachments: map[topo.Attachment]struct{}{}, containers: map[string]struct{}{}}
	for _, a := range as {
		l.attachments[a] = struct{}{}
		l.containers[a.Container] = struct{}{}
	}
	return l
}

// Len is the number of attachments in the set.
func (l LiveSet) Len() int { return len(l.attachments) }

// Has says whether a's attachment is live.
func (l LiveSet) Has(a topo.Allocation) bool {
	if l.ByContainer {
		_, ok := l.containers[a.Container]
		return ok
	}
	_, ok := l.attachments[a.Attachment()]
	return ok
}

// GCMarked is a candidate an earlier run left: the allocation it was taken
// for and when it was first seen missing.
type GCMarked struct {
	Address      string
	Attachment   topo.Attachment
	AllocatedAt  time.Time
	MissingSince time.Time
}

// GCEntry is one allocation and what a run does with it.
type GCEntry struct {
	Action       GCAction
	Allocation   topo.Allocation
	MissingSince time.Time // zero for GCUnmark
}

// GCPolicy is what a run decides by.
type GCPolicy struct {
	Now   time.Time
	Grace time.Duration
	// NodeAddresses lets addresses held by the node itself (no container)
	// be collected; by default they never are.
	NodeAddresses bool
}

// Eligible says whether gc looks at a at all under p.
func (p GCPolicy) Eligible(a topo.Allocation) bool {
	return a.Container != "" || p.NodeAddresses
}

// DecideGC gives, for a node's allocations held, the live set and the
// candidates marked before, what a run does: each eligible allocation
// missing from live is marked (or stays marked, or is released once both
// it and its mark are older than the grace period); a mark whose
// allocation is live again is unmarked. A mark counts only for the very
// allocation it was taken for (same address, attachment and allocation
// time). Entries come release first, then mark, wait and unmark, each in
// address order.
func DecideGC(held []topo.Allocation, live LiveSet, marked []GCMarked, p GCPolicy) []GCEntry {
	type key struct {
		addr string
		att  topo.Attachment
		at   int64
	}
	marks := make(map[key]GCMarked, len(marked))
	for _, m := range marked {
		marks[key{m.Address, m.Attachment, m.AllocatedAt.UnixNano()}] = m
	}
	cutoff := p.Now.Add(-p.Grace)
	var out []GCEntry
	for _, a := range held {
		if !p.Eligible(a) {
			continue
		}
		m, wasMarked := marks[key{a.Address.String(), a.Attachment(), a.At.UnixNano()}]
		switch {
		case live.Has(a) && wasMarked:
			out = append(out, GCEntry{Action: GCUnmark, Allocation: a})
		case live.Has(a):
		case !wasMarked:
			out = append(out, GCEntry{Action: GCMark, Allocation: a, MissingSince: p.Now})
		case !m.MissingSince.After(cutoff) && !a.At.After(cutoff):
			out = append(out, GCEntry{Action: GCRelease, Allocation: a, MissingSince: m.MissingSince})
		default:
			out = append(out, GCEntry{Action: GCWait, Allocation: a, MissingSince: m.MissingSince})
		}
	}
	rank := map[GCAction]int{GCRelease: 0, GCMark: 1, GCWait: 2, GCUnmark: 3}
	sort.SliceStable(out, func(i, j int) bool {
		if rank[out[i].Action] != rank[out[j].Action] {
			return rank[out[i].Action] < rank[out[j].Action]
		}
		return out[i].Allocation.Address.Less(out[j].Allocation.Address)
	})
	return out
}
