package store

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/rqlite/gorqlite"

	"github.com/netipam/netipam/topo"
)

// rqliteDB is the cluster backend: an rqlite cluster (Raft-replicated
// SQLite) reached over its HTTP API through gorqlite.
//
// gorqlite talks to one host per Connection (its cluster discovery fails
// outright when the cluster has no leader, and it moves to another peer only
// on a transport error). So the backend keeps one discovery-free Connection
// per listed host and does the failover itself: every call starts at the
// host that answered last and moves on, in list order, when a host is down
// or has no leader. Any member accepts reads and writes: a follower forwards
// them to the leader.
type rqliteDB struct {
	hosts []string
	conns []*gorqlite.Connection
	// cur is the index of the host that answered last: where calls start.
	cur    atomic.Int32
	client *http.Client
	level  string
	user   *url.Userinfo // nil: no credentials
}

var _ Backend = (*rqliteDB)(nil)

// Read consistency. The default is "weak": a read runs on the leader (a
// follower forwards it), which has applied every write it acknowledged, so
// the owner lookup that makes ADD idempotent, and any read after a write by
// the same caller, sees that write; it costs no extra round of Raft
// messages. It can be stale only for the instant after a leader change,
// which allocation tolerates: a stale candidate is refused by the UNIQUE
// constraint and the allocator's bounded retry reloads the pool. "none"
// (a member's local copy, possibly stale, works without a leader),
// "linearizable" (a quorum heartbeat per read) and "strong" (every read
// through the Raft log) are chosen with ?level= in the store URL.
const defaultRqliteLevel = "weak"

// defaultRqliteTimeout bounds one HTTP request to one host (?timeout=).
const defaultRqliteTimeout = 10 * time.Second

// rqliteLevels are the levels rqlite v8 accepts on /db/query.
var rqliteLevels = map[string]bool{"none": true, "weak": true, "linearizable": true, "strong": true}

// openRqlite opens the backend for the part of a store URL after
// "rqlite://": host:port[,host:port...][?level=LEVEL&timeout=DURATION],
// with optional user:password@ before the first host. It makes no network
// call: a host that is down, or a cluster without a leader, fails the first
// request with ErrUnavailable, as it would any later one.
func openRqlite(_ context.Context, rest string) (Backend, error) {
	cfg, err := parseRqliteURL(rest)
	if err != nil {
		return nil, fmt.Errorf("store rqlite://%s: %w", redactUser(rest), err)
	}
	client := &http.Client{
		Timeout: cfg.timeout,
		Transport: &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			DialContext:         (&net.Dialer{Timeout: min(cfg.timeout, 3*time.Second)}).DialContext,
			MaxIdleConns:        256,
			MaxIdleConnsPerHost: 64, // concurrent callers keep their keep-alive connections
			IdleConnTimeout:     90 * time.Second,
		},
	}
	db := &rqliteDB{hosts: cfg.hosts, client: client, level: cfg.level, user: cfg.user}
	for _, h := range cfg.hosts {
		u := url.URL{Scheme: "http", Host: h, Path: "/", User: cfg.user,
			RawQuery: "level=" + cfg.level + "&disableClusterDiscovery=true"}
		conn, err := gorqlite.OpenWithClient(u.String(), client)
		if err != nil {
			return nil, fmt.Errorf("store rqlite://%s: host %s: %w", redactUser(rest), h, err)
		}
		db.conns = append(db.conns, conn)
	}
	return db, nil
}

type rqliteConfig struct {
	hosts   []string
	user    *url.Userinfo
	level   string
	timeout time.Duration
}

func parseRqliteURL(rest string) (rqliteConfig, error) {
	cfg := rqliteConfig{level: defaultRqliteLevel, timeout: defaultRqliteTimeout}
	hostPart, rawQuery, _ := strings.Cut(rest, "?")
	if at := strings.LastIndex(hostPart, "@"); at >= 0 {
		ui := hostPart[:at]
		hostPart = hostPart[at+1:]
		name, pass, hasPass := strings.Cut(ui, ":")
		var err error
		if name, err = url.PathUnescape(name); err != nil {
			return cfg, fmt.Errorf("user name: %w", err)
		}
		if pass, err = url.PathUnescape(pass); err != nil {
			return cfg, fmt.Errorf("password: %w", err)
		}
		cfg.user = url.User(name)
		if hasPass {
			cfg.user = url.UserPassword(name, pass)
		}
	}
	hostPart = strings.TrimSuffix(hostPart, "/")
	for _, h := range strings.Split(hostPart, ",") {
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		host, port, err := net.SplitHostPort(h)
		if err != nil || host == "" {
			return cfg, fmt.Errorf("host %q: give host:port, e.g. 127.0.0.1:4001", h)
		}
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return cfg, fmt.Errorf("host %q: port %q is not a port number", h, port)
		}
		cfg.hosts = append(cfg.hosts, h)
	}
	if len(cfg.hosts) == 0 {
		return cfg, errors.New("no hosts: use rqlite://host1:4001,host2:4001,host3:4001")
	}
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return cfg, fmt.Errorf("parameters %q: %w", rawQuery, err)
	}
	for k, v := range q {
		val := v[len(v)-1]
		switch k {
		case "level":
			if !rqliteLevels[val] {
				return cfg, fmt.Errorf("level=%q: use none, weak, linearizable or strong", val)
			}
			cfg.level = val
		case "timeout":
			var d time.Duration
			if n, nerr := strconv.Atoi(val); nerr == nil && n > 0 && n <= 86400 {
				d = time.Duration(n) * time.Second // plain seconds, as gorqlite takes it
			} else if d, err = topo.ParsePositiveDuration(val); err != nil {
				return cfg, fmt.Errorf("timeout: %w", err)
			}
			cfg.timeout = d
		default:
			return cfg, fmt.Errorf("unknown parameter %q: the parameters are level and timeout", k)
		}
	}
	return cfg, nil
}

// redactUser hides a password in a store URL for error messages.
func redactUser(rest string) string {
	hostPart, _, _ := strings.Cut(rest, "?")
	at := strings.LastIndex(hostPart, "@")
	if at < 0 {
		return rest
	}
	name, _, hasPass := strings.Cut(rest[:at], ":")
	if !hasPass {
		return rest
	}
	return name + ":xxxxx" + rest[at:]
}

// Exec sends the batch as ONE request to /db/execute with rqlite's
// transaction flag (gorqlite sets it on every request): SQLite runs it in
// one transaction on the leader, which rolls it back whole if a statement
// fails, and Raft replicates it as one log entry.
//
// A host that refuses the connection, or answers 503 (it knows no leader),
// never ran the batch, so the next host is tried. Any other failure leaves
// the outcome unknown and is returned as ErrUnavailable without a retry:
// the caller may retry, which is safe for netipam's writes (allocation is
// idempotent per owner and decided by UNIQUE constraints).
func (db *rqliteDB) Exec(ctx context.Context, stmts ...Stmt) ([]int64, error) {
	if len(stmts) == 0 {
		return nil, nil
	}
	ps := params(stmts)
	var lastErr error
	for i, start := 0, int(db.cur.Load()); i < len(db.conns); i++ {
		h := (start + i) % len(db.conns)
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
		results, err := db.conns[h].WriteParameterizedContext(ctx, ps)
		var se gorqlite.StatementErrors
		switch {
		case errors.As(err, &se):
			// The host (or the leader it forwarded to) ran the batch and a
			// statement failed: the transaction is rolled back.
			db.cur.Store(int32(h))
			return nil, statementError(results, se)
		case err != nil && notDelivered(err):
			lastErr = fmt.Errorf("rqlite %s: %w", db.hosts[h], err)
			continue
		case err != nil:
			return nil, fmt.Errorf("%w: rqlite %s: outcome unknown: %w", ErrUnavailable, db.hosts[h], err)
		case len(results) != len(stmts):
			// rqlite answers 200 with only a top-level "error" when a
			// follower cannot reach the leader or leadership is lost
			// mid-write, and gorqlite drops that error: no results, no
			// error. The batch may or may not have been committed.
			return nil, fmt.Errorf("%w: rqlite %s: write outcome unknown: %d results for %d statements (no leader?)",
				ErrUnavailable, db.hosts[h], len(results), len(stmts))
		}
		db.cur.Store(int32(h))
		n := make([]int64, len(results))
		for j, r := range results {
			n[j] = r.RowsAffected
		}
		return n, nil
	}
	return nil, fmt.Errorf("%w: no rqlite host took the write: %w", ErrUnavailable, lastErr)
}

// statementError gives the first failing statement's error, translated.
func statementError(results []gorqlite.WriteResult, se gorqlite.StatementErrors) error {
	for _, r := range results {
		if r.Err != nil {
			return translate(r.Err)
		}
	}
	return translate(se[0])
}

// Query runs one statement on /db/query at the configured level. Reads
// are safe to repeat, so any failure of a host that is not the statement's
// own error moves on to the next host. rqlite's query endpoint runs on a
// read-only SQLite connection and refuses any statement SQLite does not
// report read-only ("attempt to change database via query operation"), so
// `netipam sql` cannot write through it; checkRqliteQuery refuses the
// little it would let through (settings PRAGMAs, several statements).
func (db *rqliteDB) Query(ctx context.Context, st Stmt) (Rows, error) {
	if err := checkRqliteQuery(st.SQL); err != nil {
		return nil, err
	}
	ps := params([]Stmt{st})
	var lastErr error
	for i, start := 0, int(db.cur.Load()); i < len(db.conns); i++ {
		h := (start + i) % len(db.conns)
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
		results, err := db.conns[h].QueryParameterizedContext(ctx, ps)
		var se gorqlite.StatementErrors
		switch {
		case errors.As(err, &se):
			db.cur.Store(int32(h))
			return nil, translate(se[0])
		case err != nil && !unavailable(err):
			// A refusal that another host would repeat (a disallowed
			// pragma, a malformed request): the caller's mistake.
			db.cur.Store(int32(h))
			return nil, translate(err)
		case err != nil:
			lastErr = fmt.Errorf("rqlite %s: %w", db.hosts[h], err)
			continue
		case len(results) != 1:
			lastErr = fmt.Errorf("rqlite %s: %d results for 1 query", db.hosts[h], len(results))
			continue
		}
		db.cur.Store(int32(h))
		return newRqliteRows(results[0]), nil
	}
	return nil, fmt.Errorf("%w: no rqlite host answered the query: %w", ErrUnavailable, lastErr)
}

// Close releases the connections.
func (db *rqliteDB) Close() error {
	for _, c := range db.conns {
		c.Close()
	}
	db.client.CloseIdleConnections()
	return nil
}

func params(stmts []Stmt) []gorqlite.ParameterizedStatement {
	ps := make([]gorqlite.ParameterizedStatement, len(stmts))
	for i, st := range stmts {
		ps[i] = gorqlite.ParameterizedStatement{Query: st.SQL, Arguments: st.Args}
	}
	return ps
}

// notDelivered reports whether a request surely never ran: the host
// refused the connection (our own dial failed: net/http's error reads
// `Post "URL": dial tcp ...`), or the host answered 503 because it knows
// no leader to forward to.
func notDelivered(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, `": dial tcp`) || strings.Contains(msg, "503 Service Unavailable")
}

// unavailable reports whether a failed request says nothing about the
// statement: the host is down or slow, or the cluster has no leader right
// now (gorqlite's transport errors, rqlite's "leader not found" 503, and
// the 200 answers "node failed to process Query on remote node", "not
// leader", "stale read", timeouts). Anything else, such as "disallowed
// pragma" or a 400 for a malformed request, another host would repeat.
func unavailable(err error) bool {
	msg := strings.ToLower(err.Error())
	if strings.Contains(msg, "400 bad request") || strings.Contains(msg, "disallowed pragma") ||
		strings.Contains(msg, "401 unauthorized") || strings.Contains(msg, "403 forbidden") {
		return false
	}
	if strings.Contains(msg, "tried all peers unsuccessfully") { // transport error or non-200
		return true
	}
	for _, m := range []string{"node failed to process", "leader", "not open", "not ready", "stale read",
		"timeout", "timed out", "deadline", "eof", "connection", "refused", "unavailable"} {
		if strings.Contains(msg, m) {
			return true
		}
	}
	return false
}
