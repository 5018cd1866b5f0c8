package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"

	"github.com/netipam/netipam/topo"
)

// backuper is a backend that can write a consistent copy of its database
// to an open file.
type backuper interface {
	backup(ctx context.Context, tmp string) error
}

// Backup writes a consistent copy of the store, a SQLite database file, to
// path while others go on writing: into a temporary file beside path,
// synced, then renamed over it, so that path is never a partial copy. An
// existing path is refused (ErrConflict) unless force.
func (s *Store) Backup(ctx context.Context, path string, force bool) error {
	db := s.db
	if ro, ok := db.(readOnlyBackend); ok {
		db = ro.Backend
	}
	b, ok := db.(backuper)
	if !ok {
		return fmt.Errorf("backup: the %T backend cannot be backed up", db)
	}
	if _, err := os.Stat(path); err == nil && !force {
		return fmt.Errorf("backup to %s: %w: the file exists; choose another name or pass --force to replace it",
			path, ErrConflict)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return topo.Errorf(topo.ErrInvalid, "backup to %s: create a temporary file in %s: %w: name a file in an existing directory you may write",
			path, dir, err)
	}
	tmp := f.Name()
	f.Close()
	defer os.Remove(tmp) // a no-op once renamed
	if err := b.backup(ctx, tmp); err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	if err := syncFile(tmp); err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	if err := syncFile(dir); err != nil {
		return fmt.Errorf("backup to %s: sync directory: %w", path, err)
	}
	return nil
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
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
