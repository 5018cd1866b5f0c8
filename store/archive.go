package store

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/netipam/netipam/outfile"
	"github.com/netipam/netipam/topo"
)

// Retention is the age under which an event is never deleted; the schema
// enforces it too (migrations/0005_events_retention.sql).
const Retention = 30 * 24 * time.Hour

// archivePage bounds the events read per query while archiving.
const archivePage = 10000

// ArchivedEvent is one line of an archive file: every column of the
// events table, as stored.
type ArchivedEvent struct {
	ID        int64  `json:"id"`
	At        string `json:"at"`
	Kind      string `json:"kind"`
	Actor     string `json:"actor"`
	Address   string `json:"address"`
	Subnet    string `json:"subnet"`
	NodeID    string `json:"node_id"`
	TORID     string `json:"tor_id"`
	Purpose   string `json:"purpose"`
	Container string `json:"container"`
	IfName    string `json:"ifname"`
	Network   string `json:"network"`
	PodNS     string `json:"pod_ns"`
	PodName   string `json:"pod_name"`
	Detail    string `json:"detail"`
}

// ArchiveResult says what an archive did.
type ArchiveResult struct {
	Events    int64 // written to the file and deleted
	ThroughID int64 // the highest id written
}

// ArchiveEvents writes the events older than before to path as JSON lines
// (one event per line, every column), syncs the file, then deletes exactly
// those events in one atomic batch that also records the archive in
// event_archives. "30 days" is measured from the ledger's own latest
// event (and from Now, if that is earlier), never from the caller's clock
// alone: a before later than that less Retention is refused
// (topo.ErrInvalid), as is an existing path. The newest event of the
// ledger is always kept, so that event ids never start again (the ledger
// is a change feed read by id). With nothing to archive, no file is
// written.
func (s *Store) ArchiveEvents(ctx context.Context, before time.Time, path string) (ArchiveResult, error) {
	var res ArchiveResult
	now := s.Now().UTC()
	var latest string
	if err := s.one(ctx, Q(`SELECT COALESCE(MAX(at), '') FROM events`), &latest); err != nil {
		return res, fmt.Errorf("archive events: read the latest event's time: %w", err)
	}
	ref, whose := now, "now"
	if t := parseStamp(latest); latest != "" && t.Before(ref) {
		ref, whose = t, "the ledger's latest event"
	}
	if limit := ref.Add(-Retention); before.After(limit) {
		return res, topo.Errorf(topo.ErrInvalid, "archive events before %s: later than 30 days before %s (%s): events younger than 30 days are never deleted",
			before.UTC().Format(time.RFC3339), whose, limit.Format(time.RFC3339))
	}
	cutoff := before.UTC().Format(timeLayout)
	var newest int64
	if err := s.one(ctx, Q(`SELECT COALESCE(MAX(id), 0) FROM events`), &newest); err != nil {
		return res, fmt.Errorf("archive events: read the newest event: %w", err)
	}
	g := outfile.Guard{Exists: "name a new file", Protect: s.Files()}
	f, err := g.Create(path)
	if err != nil {
		return res, fmt.Errorf("archive events to %s: %w", path, err)
	}
	defer f.Abort() // a no-op once committed
	w := bufio.NewWriter(f)
	res, err = s.writeArchive(ctx, w, cutoff, newest)
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		return ArchiveResult{}, fmt.Errorf("archive events to %s: %w", path, err)
	}
	if res.Events == 0 {
		return res, nil
	}
	if err := f.Commit(); err != nil {
		return ArchiveResult{}, fmt.Errorf("archive events to %s: %w", path, err)
	}
	n, err := s.db.Exec(ctx,
		Q(`INSERT INTO event_archives (at, before, through_id, events, file, actor) VALUES (?, ?, ?, ?, ?, ?)`,
			now.Format(timeLayout), cutoff, res.ThroughID, res.Events, path, s.Actor),
		Q(`DELETE FROM events WHERE id <= ? AND at < ?`, res.ThroughID, cutoff))
	if err != nil {
		return ArchiveResult{}, fmt.Errorf("archive events: delete the %d archived events (%s holds them; nothing was deleted): %w",
			res.Events, path, err)
	}
	if n[1] != res.Events {
		return res, fmt.Errorf("archive events: deleted %d events, wrote %d to %s: events older than %s were added meanwhile: %w",
			n[1], res.Events, path, cutoff, topo.ErrConflict)
	}
	return res, nil
}

// writeArchive writes the events with at < cutoff and id < newest, a page
// at a time in id order.
func (s *Store) writeArchive(ctx context.Context, w *bufio.Writer, cutoff string, newest int64) (ArchiveResult, error) {
	var res ArchiveResult
	enc := json.NewEncoder(w)
	for {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		page := 0
		err := s.each(ctx, Q(`SELECT `+eventCols+` FROM events WHERE id > ? AND id < ? AND at < ? ORDER BY id LIMIT ?`,
			res.ThroughID, newest, cutoff, int64(archivePage)), func(scan func(...any) error) error {
			var e ArchivedEvent
			if err := scan(&e.ID, &e.At, &e.Kind, &e.Actor, &e.Address, &e.Subnet, &e.NodeID, &e.TORID, &e.Purpose,
				&e.Container, &e.IfName, &e.Network, &e.PodNS, &e.PodName, &e.Detail); err != nil {
				return err
			}
			page++
			res.Events++
			res.ThroughID = e.ID
			return enc.Encode(e)
		})
		if err != nil {
			return res, fmt.Errorf("read events: %w", err)
		}
		if page < archivePage {
			return res, nil
		}
	}
}
