package local

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

// DefaultGCGrace is how long an allocation must have been missing (and
// have existed) before gc releases it.
const DefaultGCGrace = 15 * time.Minute

// MinGCGrace is the shortest grace a run accepts without AllowShortGrace
// (--allow-short-grace): a container being created can be missing from a
// live list for a moment, and a grace of seconds would release it.
const MinGCGrace = 15 * time.Minute

// RunGC runs one gc request on a store, at the store's time: the report,
// and what it released. The decision is alloc.DecideGC; the batch
// (store.ApplyGC) checks its conditions again, so that an allocation
// made or changed while the run reads is never released.
func RunGC(ctx context.Context, st *store.Store, req GCRequest) (GCReport, []topo.Allocation, error) {
	grace, err := req.grace()
	if err != nil {
		return GCReport{}, nil, err
	}
	if err := topo.CheckListLen("gc: live", len(req.Live), topo.MaxAttachments); err != nil {
		return GCReport{}, nil, err
	}
	if req.FromReport != nil {
		if err := topo.CheckListLen("gc: from_report.entries", len(req.FromReport.Entries), topo.MaxAddresses); err != nil {
			return GCReport{}, nil, err
		}
		return gcFromReport(ctx, st, req, grace)
	}
	if req.Node == "" {
		return GCReport{}, nil, topo.Errorf(topo.ErrInvalid, "gc: give the node (--node) whose live attachments these are")
	}
	if err := topo.ValidateLabel("node", req.Node); err != nil {
		return GCReport{}, nil, err
	}
	live, err := req.liveSet()
	if err != nil {
		return GCReport{}, nil, err
	}
	if _, err := st.NodeTOR(ctx, req.Node); err != nil {
		return GCReport{}, nil, err
	}
	held, err := st.Allocations(ctx, topo.AllocationFilter{Node: &req.Node})
	if err != nil {
		return GCReport{}, nil, err
	}
	policy := alloc.GCPolicy{Now: st.Now(), Grace: grace, NodeAddresses: req.NodeAddresses}
	if live.Len() == 0 && !req.AllowEmpty {
		n := 0
		for _, a := range held {
			if policy.Eligible(a) {
				n++
			}
		}
		if n > 0 {
			return GCReport{}, nil, topo.Errorf(topo.ErrInvalid, "gc on %s: the live list is empty but the node holds %d "+
				"collectable allocation(s): if nothing really runs on it, pass --allow-empty (an empty list is "+
				"also what a failed crictl prints)", req.Node, n)
		}
	}
	cands, err := st.GCCandidates(ctx, req.Node)
	if err != nil {
		return GCReport{}, nil, err
	}
	marked := make([]alloc.GCMarked, len(cands))
	for i, c := range cands {
		marked[i] = alloc.GCMarked{Address: c.Address.String(), AllocatedAt: c.AllocatedAt, MissingSince: c.MissingSince,
			Attachment: topo.Attachment{Network: c.Network, Container: c.Container, IfName: c.IfName}}
	}
	entries := alloc.DecideGC(held, live, marked, policy)
	rep := newReport(req, policy.Now, grace, "live")
	rep.Live = live.Len()
	if live.ByContainer {
		rep.Match = "container"
	}
	if req.DryRun {
		rep.setEntries(entries)
		return rep, nil, nil
	}
	b := store.GCBatch{Run: rep.Run, Node: req.Node, Source: "live", Grace: grace, Cutoff: policy.Now.Add(-grace),
		Marked: true, NodeAddresses: req.NodeAddresses}
	for i, e := range entries {
		if e.Action == alloc.GCRelease && len(b.Release) == store.MaxGCRelease {
			entries[i].Action = alloc.GCWait // the next run releases it
		}
		switch entries[i].Action {
		case alloc.GCRelease:
			b.Release = append(b.Release, e.Allocation)
			fallthrough
		case alloc.GCMark, alloc.GCWait:
			b.Marks = append(b.Marks, store.GCMark{Allocation: e.Allocation, MissingSince: e.MissingSince})
		}
	}
	released, err := st.ApplyGC(ctx, b)
	if err != nil {
		return GCReport{}, nil, err
	}
	freed := map[string]bool{}
	for _, a := range released {
		freed[a.Address.String()] = true
	}
	for i, e := range entries {
		if e.Action == alloc.GCRelease && !freed[e.Allocation.Address.String()] {
			entries[i].Action = alloc.GCWait // changed since it was read: not released
		}
	}
	rep.setEntries(entries)
	return rep, released, nil
}

// gcFromReport releases exactly the "release" entries of a reviewed report,
// or nothing: each must still be held as listed, allocated at least grace
// ago, and be a candidate an earlier run on the node recorded (the same
// address, attachment and allocation time) missing since grace ago or
// earlier. A report pasted together or written from scratch releases
// nothing that gc itself has not found missing for the grace period.
func gcFromReport(ctx context.Context, st *store.Store, req GCRequest, grace time.Duration) (GCReport, []topo.Allocation, error) {
	in := req.FromReport
	if in.Node == "" || (req.Node != "" && req.Node != in.Node) {
		return GCReport{}, nil, topo.Errorf(topo.ErrInvalid, "gc --from-report: the report is for node %q, not %q: "+
			"give the report of this node", in.Node, req.Node)
	}
	now := st.Now()
	cutoff := now.Add(-grace)
	var listed []topo.Allocation
	seen := map[string]bool{}
	for i, entry := range in.Entries {
		if entry.Action != alloc.GCRelease {
			continue
		}
		e := entry.Allocation
		if e.Node != in.Node {
			return GCReport{}, nil, topo.Errorf(topo.ErrInvalid, "gc --from-report: entries[%d] (%s) is on node %q, "+
				"the report on %q: a report releases one node's addresses", i, e.Address, e.Node, in.Node)
		}
		if !e.Address.IsValid() || seen[e.Address.String()] {
			return GCReport{}, nil, topo.Errorf(topo.ErrInvalid, "gc --from-report: entries[%d]: missing or repeated address", i)
		}
		seen[e.Address.String()] = true
		listed = append(listed, e)
	}
	if len(listed) == 0 {
		return GCReport{}, nil, topo.Errorf(topo.ErrInvalid, "gc --from-report: the report lists nothing to release "+
			"(no entry with action \"release\")")
	}
	if err := checkListed(ctx, st, listed, cutoff, req.NodeAddresses); err != nil {
		return GCReport{}, nil, err
	}
	if err := checkCandidates(ctx, st, in.Node, listed, cutoff); err != nil {
		return GCReport{}, nil, err
	}
	rep := newReport(req, now, grace, "report")
	rep.Node = in.Node
	released, err := st.ApplyGC(ctx, store.GCBatch{Run: rep.Run, Node: in.Node, Source: "report", Grace: grace,
		Release: listed, Cutoff: cutoff, Marked: true, Exact: true, NodeAddresses: req.NodeAddresses})
	if err != nil {
		return GCReport{}, nil, err
	}
	at := make(map[netip.Addr]time.Time, len(listed))
	for _, l := range listed {
		at[l.Address] = l.At
	}
	entries := make([]alloc.GCEntry, len(released))
	for i, a := range released {
		entries[i] = alloc.GCEntry{Action: alloc.GCRelease, Allocation: a}
		if t, ok := at[a.Address]; ok {
			entries[i].Allocation.At = t
		}
	}
	rep.setEntries(entries)
	return rep, released, nil
}

// checkListed says, naming each, which listed allocations no longer match
// the store (the batch checks it again, atomically).
func checkListed(ctx context.Context, st *store.Store, listed []topo.Allocation, cutoff time.Time, nodeAddrs bool) error {
	f := topo.AllocationFilter{}
	for _, l := range listed {
		f.Addresses = append(f.Addresses, l.Address)
	}
	held, err := st.Allocations(ctx, f)
	if err != nil {
		return err
	}
	byAddr := make(map[string]topo.Allocation, len(held))
	for _, h := range held {
		byAddr[h.Address.String()] = h
	}
	var bad []string
	for _, l := range listed {
		h, ok := byAddr[l.Address.String()]
		switch {
		case !ok:
			bad = append(bad, l.Address.String()+" is no longer held")
		case h.Node != l.Node || h.Attachment() != l.Attachment() || !h.At.Equal(l.At):
			bad = append(bad, fmt.Sprintf("%s is held by %s on %s since %s, the report says %s on %s since %s",
				l.Address, h.Attachment(), h.Node, h.At.UTC().Format(time.RFC3339), l.Attachment(), l.Node,
				l.At.UTC().Format(time.RFC3339)))
		case h.At.After(cutoff):
			bad = append(bad, fmt.Sprintf("%s was allocated less than the grace period ago", l.Address))
		case h.Container == "" && !nodeAddrs:
			bad = append(bad, fmt.Sprintf("%s is held by the node itself (pass --include-node-addresses)", l.Address))
		}
	}
	if len(bad) > 0 {
		return topo.Errorf(topo.ErrConflict, "gc --from-report: %d listed allocation(s) no longer match: %s: nothing was "+
			"released; review a new report (netipam gc --dry-run -o json)", len(bad), strings.Join(bad, "; "))
	}
	return nil
}

// checkCandidates says, naming each, which listed allocations are not
// candidates of an earlier gc run on node missing since cutoff or earlier
// (the batch checks it again, atomically).
func checkCandidates(ctx context.Context, st *store.Store, node string, listed []topo.Allocation, cutoff time.Time) error {
	cands, err := st.GCCandidates(ctx, node)
	if err != nil {
		return err
	}
	byAddr := make(map[netip.Addr]store.GCCandidate, len(cands))
	for _, c := range cands {
		byAddr[c.Address] = c
	}
	var bad []string
	for _, l := range listed {
		c, ok := byAddr[l.Address]
		switch {
		case !ok:
			bad = append(bad, fmt.Sprintf("%s is not a gc candidate: no earlier gc run on %s found it missing", l.Address, node))
		case c.Node != l.Node || c.Network != l.Network || c.Container != l.Container || c.IfName != l.IfName ||
			!c.AllocatedAt.Equal(l.At):
			bad = append(bad, fmt.Sprintf("%s: the gc candidate is %s on %s allocated %s, the report says %s on %s allocated %s",
				l.Address, topo.Attachment{Network: c.Network, Container: c.Container, IfName: c.IfName}, c.Node,
				c.AllocatedAt.UTC().Format(time.RFC3339), l.Attachment(), l.Node, l.At.UTC().Format(time.RFC3339)))
		case c.MissingSince.After(cutoff):
			bad = append(bad, fmt.Sprintf("%s has been missing only since %s, less than the grace period", l.Address,
				c.MissingSince.UTC().Format(time.RFC3339)))
		}
	}
	if len(bad) > 0 {
		return topo.Errorf(topo.ErrConflict, "gc --from-report: %d listed allocation(s) are not gc candidates missing for "+
			"the grace period: %s: nothing was released; run gc with --live first, then review a new report "+
			"(netipam gc --dry-run -o json)", len(bad), strings.Join(bad, "; "))
	}
	return nil
}

func (req GCRequest) grace() (time.Duration, error) {
	if req.Grace == "" {
		return DefaultGCGrace, nil
	}
	d, err := topo.ParseDuration(req.Grace)
	if err != nil {
		return 0, fmt.Errorf("gc: grace: %w", err)
	}
	if d < MinGCGrace && !req.AllowShortGrace {
		return 0, topo.Errorf(topo.ErrInvalid, "gc: grace %s is under the %s minimum: an attachment being created can be "+
			"missing from a live list for a moment; give --grace %s or more, or pass --allow-short-grace if you mean it",
			d, MinGCGrace, MinGCGrace)
	}
	return d, nil
}

// liveSet validates the live list and builds its set.
func (req GCRequest) liveSet() (alloc.LiveSet, error) {
	as := make([]topo.Attachment, len(req.Live))
	for i, l := range req.Live {
		a := topo.Attachment(l)
		check := a
		if req.ByContainer {
			check = topo.Attachment{Container: a.Container, IfName: "eth0"}
		}
		if err := topo.ValidateAttachment(check); err != nil {
			return alloc.LiveSet{}, fmt.Errorf("gc: live attachment %d: %w", i+1, err)
		}
		as[i] = a
	}
	return alloc.NewLiveSet(req.ByContainer, as), nil
}

func newReport(req GCRequest, now time.Time, grace time.Duration, source string) GCReport {
	var b [4]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return GCReport{Run: "gc-" + now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:]),
		Node: req.Node, At: now.UTC(), Grace: grace.String(), DryRun: req.DryRun, Source: source,
		Match: "attachment", Counts: map[string]int{}, Entries: []GCReportEntry{}}
}

func (r *GCReport) setEntries(es []alloc.GCEntry) {
	for _, e := range es {
		r.Entries = append(r.Entries, toReportEntry(e, r.At))
		r.Counts[string(e.Action)]++
	}
}
