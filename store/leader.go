package store

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// Clustered reports whether the store is an rqlite cluster (which has a
// leader to lose), without asking it anything.
func (s *Store) Clustered() bool {
	_, ok := s.db.(*rqliteDB)
	return ok
}

// LeaderReachable says, for a store on rqlite, whether a member it names
// knows a leader: rqlite's /readyz answers 200 only on a member that has
// one (and whose store is open). It is false for SQLite (see Clustered).
func (s *Store) LeaderReachable(ctx context.Context) bool {
	db, isRqlite := s.db.(*rqliteDB)
	if !isRqlite {
		return false
	}
	for _, h := range db.hosts {
		if db.ready(ctx, h) == nil {
			return true
		}
	}
	return false
}

// ready asks one member's /readyz.
func (db *rqliteDB) ready(ctx context.Context, host string) error {
	u := url.URL{Scheme: "http", Host: host, Path: "/readyz"}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return err
	}
	if db.user != nil {
		pass, _ := db.user.Password()
		req.SetBasicAuth(db.user.Username(), pass)
	}
	resp, err := db.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("rqlite %s/readyz: %s", host, resp.Status)
	}
	return nil
}
