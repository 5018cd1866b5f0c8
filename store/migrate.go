package store

import (
	"context"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/netipam/netipam/migrations"
)

type migration struct {
	version int64
	name    string
	sql     string
}

func loadMigrations() ([]migration, error) {
	names, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var ms []migration
	for _, n := range names {
		num, rest, ok := strings.Cut(n, "_")
		v, err := strconv.ParseInt(num, 10, 64)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must be NNNN_name.sql", n)
		}
		b, err := migrations.FS.ReadFile(n)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: strings.TrimSuffix(rest, ".sql"), sql: string(b)})
	}
	return ms, nil
}

// migrate applies every migration not yet recorded. Each is one atomic batch
// together with its schema_migrations row, so two processes racing on a new
// store cannot both apply it: the loser's batch fails on the primary key (or
// on CREATE TABLE) and it finds the version recorded when it looks again.
//
// A process that finds every migration recorded (the common case: each CLI
// call and CNI plugin run opens the store) only reads; it never takes the
// write lock to start.
func (s *Store) migrate(ctx context.Context) error {
	if ok, err := s.schemaCurrent(ctx); err == nil && ok {
		return nil
	}
	if _, err := s.db.Exec(ctx, Q(`CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`)); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	for _, m := range ms {
		done, err := s.migrated(ctx, m.version)
		if err != nil {
			return err
		}
		if done {
			continue
		}
		stmts := splitSQL(m.sql)
		stmts = append(stmts, Q(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
			m.version, m.name, s.stamp()))
		if _, err := s.db.Exec(ctx, stmts...); err != nil {
			if done, err2 := s.migrated(ctx, m.version); err2 == nil && done {
				continue // another process applied it first
			}
			return fmt.Errorf("apply migration %04d_%s: %w", m.version, m.name, err)
		}
	}
	return nil
}

func (s *Store) migrated(ctx context.Context, version int64) (bool, error) {
	var n int64
	err := s.one(ctx, Q(`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, version), &n)
	if err != nil {
		return false, fmt.Errorf("read schema_migrations: %w", err)
	}
	return n > 0, nil
}

// splitSQL cuts a migration file into statements at semicolons that end a
// line outside a trigger body (rqlite takes statements one by one).
func splitSQL(src string) []Stmt {
	var out []Stmt
	var cur strings.Builder
	inTrigger := false
	for _, line := range strings.Split(src, "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "--") || t == "" {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		up := strings.ToUpper(t)
		if strings.HasPrefix(up, "CREATE TRIGGER") {
			inTrigger = true
		}
		if !strings.HasSuffix(t, ";") {
			continue
		}
		if inTrigger && up != "END;" {
			continue
		}
		inTrigger = false
		out = append(out, Q(strings.TrimSpace(cur.String())))
		cur.Reset()
	}
	return out
}

// schemaCurrent reports whether every embedded migration is recorded. An
// error (no schema_migrations table yet) means "migrate".
func (s *Store) schemaCurrent(ctx context.Context) (bool, error) {
	ms, err := loadMigrations()
	if err != nil || len(ms) == 0 {
		return false, err
	}
	args := make([]any, len(ms))
	for i, m := range ms {
		args[i] = m.version
	}
	var n int64
	if err := s.one(ctx, Q(`SELECT COUNT(*) FROM schema_migrations WHERE version IN (`+marks(len(ms))+`)`, args...), &n); err != nil {
		return false, err
	}
	return n == int64(len(ms)), nil
}
