package store

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// LeaderReachable says, for a store on rqlite, whether a member it names
// knows a leader: rqlite's /readyz answers 200 only on a member that has
// one (and whose store is open). clustered is false for SQLite, which has
// no leader to lose.
func (s *Store) LeaderReachable(ctx context.Context) (ok, clustered bool) {
	db, isRqlite := s.db.(*rqliteDB)
	if !isRqlite {
		return false, false
	}
	for _, h := range db.hosts {
		if db.ready(ctx, h) == nil {
			return true, true
		}
	}
	return false, true
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
