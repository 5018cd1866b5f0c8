package store

import (
	"context"
	"fmt"
	"os"
	"time"
)

// Store reads and writes netipam's tables through a Backend.
type Store struct {
	db  Backend
	url string
	// Now gives the time recorded in rows and events (injected in tests).
	Now func() time.Time
	// Actor is recorded in events: who made the change.
	Actor string
	// created: opening the store created it.
	created bool
}

// New wraps an opened backend and brings its schema up to date.
func New(ctx context.Context, db Backend, url string) (*Store, error) {
	s := &Store{db: db, url: url, Now: time.Now, Actor: defaultActor()}
	if err := s.migrate(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// URL is the store's location as given to Open.
func (s *Store) URL() string { return s.url }

// Backend gives the underlying backend (for read-only audit queries).
func (s *Store) Backend() Backend { return s.db }

// Close closes the backend.
func (s *Store) Close() error { return s.db.Close() }

// timeLayout has fixed-width fractions so that text order is time order.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

func (s *Store) stamp() string { return s.Now().UTC().Format(timeLayout) }

func parseStamp(v string) time.Time {
	t, _ := time.Parse(timeLayout, v)
	return t
}

func defaultActor() string {
	user := os.Getenv("USER")
	if user == "" {
		user = fmt.Sprintf("uid:%d", os.Getuid())
	}
	host, _ := os.Hostname()
	return user + "@" + host
}

// one runs a query expected to return exactly one row and scans it.
func (s *Store) one(ctx context.Context, st Stmt, dest ...any) error {
	rows, err := s.db.Query(ctx, st)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return ErrNotFound
	}
	if err := rows.Scan(dest...); err != nil {
		return err
	}
	return rows.Err()
}

// each runs a query and calls fn for every row; fn scans with the given
// function.
func (s *Store) each(ctx context.Context, st Stmt, fn func(scan func(dest ...any) error) error) error {
	rows, err := s.db.Query(ctx, st)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}
