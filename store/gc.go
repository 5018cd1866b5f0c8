package store

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/netipam/netipam/topo"
)

// GCCandidate is an allocation a gc run found missing from its node's live
// attachments, not yet released (table gc_candidates).
type GCCandidate struct {
	Address      netip.Addr `json:"address"`
	Node         string     `json:"node"`
	Network      string     `json:"network"`
	Container    string     `json:"container"`
	IfName       string     `json:"ifname"`
	AllocatedAt  time.Time  `json:"allocated_at"`
	MissingSince time.Time  `json:"missing_since"`
	FirstRun     string     `json:"first_run"`
	LastRun      string     `json:"last_run"`
	LastSeen     time.Time  `json:"last_seen"`
}

// GCCandidates lists the candidates of a node (every node's when node is
// empty), by node and address.
func (s *Store) GCCandidates(ctx context.Context, node string) ([]GCCandidate, error) {
	q := `SELECT address, node_id, network, container, ifname, allocated_at, missing_since, first_run, last_run,
		last_seen FROM gc_candidates`
	var args []any
	if node != "" {
		q += ` WHERE node_id = ?`
		args = append(args, node)
	}
	var out []GCCandidate
	err := s.each(ctx, Q(q+` ORDER BY node_id, address`, args...), func(scan func(...any) error) error {
		var c GCCandidate
		var addr, at, since, seen string
		if err := scan(&addr, &c.Node, &c.Network, &c.Container, &c.IfName, &at, &since, &c.FirstRun, &c.LastRun,
			&seen); err != nil {
			return err
		}
		var err error
		if c.Address, err = netip.ParseAddr(addr); err != nil {
			return fmt.Errorf("stored candidate address %q: %w", addr, err)
		}
		c.AllocatedAt, c.MissingSince, c.LastSeen = parseStamp(at), parseStamp(since), parseStamp(seen)
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read gc candidates: %w", err)
	}
	return out, nil
}

// GCMark is a candidate a run keeps or adds: an allocation and when it was
// first seen missing.
type GCMark struct {
	Allocation   topo.Allocation
	MissingSince time.Time
}

// GCBatch is what one gc run writes, as one atomic batch.
type GCBatch struct {
	Run    string
	Node   string
	Source string // "live" (a live list) or "report" (a reviewed report)
	Grace  time.Duration
	// Release are the allocations to free, each matched exactly (address,
	// node, attachment, allocation time) and only if allocated at or
	// before Cutoff.
	Release []topo.Allocation
	Cutoff  time.Time
	// Marked requires, for each release, a candidate row for the very
	// allocation (node, attachment, allocation time) missing since Cutoff
	// or earlier: a live run, and a reviewed report.
	Marked bool
	// Exact refuses the whole batch unless every allocation of Release
	// still matches (a reviewed report: exactly what it lists, or nothing).
	Exact bool
	// Marks replace the node's candidates (a live run): a candidate of the
	// same allocation keeps its first time missing; every other candidate
	// of the node is dropped.
	Marks []GCMark
	// NodeAddresses lets allocations without a container be released.
	NodeAddresses bool
}

// MaxGCRelease bounds the allocations one gc batch releases (far more than
// a node holds); a run that finds more releases the rest next time.
const MaxGCRelease = 2000

// ApplyGC writes a gc run in one atomic batch: the run's row, a "gc" event
// for each allocation released (detail "gc:RUN") and its deletion, and the
// node's candidates. An allocation that changed since the run read it (was
// released, handed out again, is younger than the cutoff, lost its mark)
// is not released; with Exact, nothing is. It returns what it released.
func (s *Store) ApplyGC(ctx context.Context, b GCBatch) ([]topo.Allocation, error) {
	if len(b.Release) > MaxGCRelease {
		return nil, topo.Errorf(topo.ErrInvalid, "gc on %s: %d releases in one run, at most %d: split the report",
			b.Node, len(b.Release), MaxGCRelease)
	}
	now := s.stamp()
	detail := "gc:" + b.Run
	w, args := b.releaseWhere()
	var expected any
	if b.Exact {
		expected = int64(len(b.Release))
	}
	run := []any{b.Run, b.Node, now, b.Source, b.Grace.String(), int64(len(b.Marks)), expected}
	stmts := []Stmt{Q(`INSERT INTO gc_runs (id, node_id, at, source, grace, marked, expected, matched)
		VALUES (?, ?, ?, ?, ?, ?, ?, 0)`, run...)}
	if len(b.Release) > 0 {
		stmts = append(stmts[:0], Q(`INSERT INTO gc_runs (id, node_id, at, source, grace, marked, expected, matched)
			SELECT ?, ?, ?, ?, ?, ?, ?, COUNT(*) FROM allocations WHERE `+w, append(run, args...)...),
			Q(`INSERT INTO events (at, kind, actor, address, subnet, node_id, tor_id, purpose, container, ifname,
				network, pod_ns, pod_name, detail)
				SELECT ?, 'gc', ?, address, subnet, node_id, tor_id, purpose, COALESCE(container, ''), ifname,
				network, pod_ns, pod_name, ? FROM allocations WHERE `+w,
				append([]any{now, s.Actor, detail}, args...)...),
			Q(`DELETE FROM allocations WHERE `+w, args...))
	}
	if b.Source == "live" {
		stmts = append(stmts, s.markStmts(b, now)...)
	}
	// Candidates whose allocation is gone (released now, or by anyone).
	stmts = append(stmts, Q(`DELETE FROM gc_candidates WHERE node_id = ? AND NOT EXISTS (
		SELECT 1 FROM allocations a WHERE a.address = gc_candidates.address
		AND a.allocated_at = gc_candidates.allocated_at)`, b.Node))
	if _, err := s.db.Exec(ctx, stmts...); err != nil {
		var ce *ConflictError
		if b.Exact && errors.As(err, &ce) && ce.OnCheck() {
			return nil, topo.Errorf(topo.ErrConflict, "gc on %s: the report no longer matches the store "+
				"(an allocation it lists was released, handed out again or is too young): nothing was released; "+
				"review a new report (netipam gc --dry-run -o json)", b.Node)
		}
		return nil, fmt.Errorf("gc on %s: %w", b.Node, err)
	}
	if len(b.Release) == 0 {
		return nil, nil
	}
	return s.readReleased(ctx, detail)
}

// releaseWhere selects the batch's releases: by address (the unique
// index), then the exact allocation, the cutoff and, for a live run, its
// mark.
func (b GCBatch) releaseWhere() (string, []any) {
	if len(b.Release) == 0 {
		return "0 = 1", nil
	}
	cutoff := b.Cutoff.UTC().Format(timeLayout)
	args := make([]any, 0, 7*len(b.Release)+2)
	for _, a := range b.Release {
		args = append(args, a.Address.String())
	}
	for _, a := range b.Release {
		args = append(args, a.Address.String(), a.Node, a.Network, a.Container, a.IfName,
			a.At.UTC().Format(timeLayout))
	}
	w := `address IN (` + marks(len(b.Release)) + `)
		AND (address, node_id, network, COALESCE(container, ''), ifname, allocated_at) IN (VALUES ` +
		strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?), ", len(b.Release)), ", ") + `)
		AND allocated_at <= ?`
	args = append(args, cutoff)
	if !b.NodeAddresses {
		w += ` AND container IS NOT NULL`
	}
	if b.Marked {
		w += ` AND EXISTS (SELECT 1 FROM gc_candidates c WHERE c.address = allocations.address
			AND c.allocated_at = allocations.allocated_at AND c.node_id = allocations.node_id
			AND c.network = allocations.network AND c.container = COALESCE(allocations.container, '')
			AND c.ifname = allocations.ifname AND c.missing_since <= ?)`
		args = append(args, cutoff)
	}
	return w, args
}

// markStmts replace a node's candidates with b.Marks: an upsert that keeps
// the first time missing of a candidate of the same allocation, for marks
// whose allocation is still held, then the deletion of the node's others.
func (s *Store) markStmts(b GCBatch, now string) []Stmt {
	if len(b.Marks) == 0 {
		return []Stmt{Q(`DELETE FROM gc_candidates WHERE node_id = ?`, b.Node)}
	}
	var stmts []Stmt
	for rest := b.Marks; len(rest) > 0; {
		n := min(len(rest), MaxGCRelease)
		args := append(make([]any, 0, 6*n+4), b.Node, b.Run, b.Run, now)
		for _, m := range rest[:n] {
			a := m.Allocation
			args = append(args, a.Address.String(), a.Network, a.Container, a.IfName,
				a.At.UTC().Format(timeLayout), m.MissingSince.UTC().Format(timeLayout))
		}
		stmts = append(stmts, Q(`INSERT INTO gc_candidates (address, network, container, ifname, allocated_at,
			missing_since, node_id, first_run, last_run, last_seen)
			SELECT v.column1, v.column2, v.column3, v.column4, v.column5, v.column6, ?, ?, ?, ?
			FROM (VALUES `+strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?), ", n), ", ")+`) v
			WHERE EXISTS (SELECT 1 FROM allocations a WHERE a.address = v.column1 AND a.allocated_at = v.column5)
			ON CONFLICT (address) DO UPDATE SET
				missing_since = CASE WHEN gc_candidates.allocated_at = excluded.allocated_at
					AND gc_candidates.network = excluded.network AND gc_candidates.container = excluded.container
					AND gc_candidates.ifname = excluded.ifname
					THEN MIN(gc_candidates.missing_since, excluded.missing_since) ELSE excluded.missing_since END,
				first_run = CASE WHEN gc_candidates.allocated_at = excluded.allocated_at
					THEN gc_candidates.first_run ELSE excluded.first_run END,
				node_id = excluded.node_id, network = excluded.network, container = excluded.container,
				ifname = excluded.ifname, allocated_at = excluded.allocated_at,
				last_run = excluded.last_run, last_seen = excluded.last_seen`, args...))
		rest = rest[n:]
	}
	keep := make([]any, 0, len(b.Marks)+1)
	keep = append(keep, b.Node)
	for _, m := range b.Marks {
		keep = append(keep, m.Allocation.Address.String())
	}
	// One NOT IN per chunk would drop the other chunks' marks: one list.
	stmts = append(stmts, Q(`DELETE FROM gc_candidates WHERE node_id = ? AND address NOT IN (`+
		marks(len(b.Marks))+`)`, keep...))
	return stmts
}
