package store

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/netipam/netipam/outfile"
)

// backuper is a backend that can write a consistent copy of its database
// to an open file.
type backuper interface {
	backup(ctx context.Context, tmp string) error
}

// Backup writes a consistent copy of the store, a SQLite database file, to
// path while others go on writing: into a temporary file beside path,
// synced, then renamed over it, so that path is never a partial copy. The
// target is checked by outfile: the store's own files (through any path),
// anything but a regular file, and a symbolic link are refused
// (topo.ErrInvalid), and an existing file is replaced only if force.
func (s *Store) Backup(ctx context.Context, path string, force bool) error {
	db := s.db
	if ro, ok := db.(readOnlyBackend); ok {
		db = ro.Backend
	}
	b, ok := db.(backuper)
	if !ok {
		return fmt.Errorf("backup: the %T backend cannot be backed up", db)
	}
	g := outfile.Guard{Force: force, Exists: "choose another name or pass --force to replace it", Protect: s.Files()}
	f, err := g.Create(path)
	if err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	defer f.Abort() // a no-op once committed
	if err := b.backup(ctx, f.Name()); err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	if err := f.Commit(); err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	return nil
}

// backup copies the database with VACUUM INTO on a read-only connection
// of its own: one read transaction, so the copy is the database as of one
// commit, while writers go on (WAL). VACUUM INTO wants a file that does
// not exist or is empty.
func (db *sqliteDB) backup(ctx context.Context, tmp string) error {
	pool, err := sql.Open("sqlite", fileURI(db.path)+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("open %s: %w", db.path, err)
	}
	defer pool.Close()
	if _, err := pool.ExecContext(ctx, `VACUUM INTO ?`, tmp); err != nil {
		return fmt.Errorf("VACUUM INTO from %s: %w", db.path, translate(err))
	}
	return nil
}

// backup downloads rqlite's backup (GET /db/backup: a SQLite file made by
// the leader, a follower redirects there) from the first host that gives
// one.
func (db *rqliteDB) backup(ctx context.Context, tmp string) error {
	var lastErr error
	for i, start := 0, int(db.cur.Load()); i < len(db.hosts); i++ {
		h := db.hosts[(start+i)%len(db.hosts)]
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
		err := db.download(ctx, "http://"+h+"/db/backup", tmp)
		if err == nil {
			return nil
		}
		lastErr = fmt.Errorf("rqlite %s: %w", h, err)
	}
	return fmt.Errorf("%w: no rqlite host gave a backup: %w", ErrUnavailable, lastErr)
}

func (db *rqliteDB) download(ctx context.Context, url, tmp string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	// The backup of a big database takes longer than one query: no
	// client timeout, ctx bounds it.
	hc := &http.Client{Transport: db.client.Transport}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("GET /db/backup: %s: %s", resp.Status, msg)
	}
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return fmt.Errorf("GET /db/backup: %w", err)
	}
	return f.Close()
}
