package store_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/store/rqlitetest"
	"github.com/netipam/netipam/store/storetest"
)

// startCluster starts a real rqlite cluster, or skips the test when
// rqlited is not built (and fails it on CI, where it must be).
func startCluster(t testing.TB, n int) *rqlitetest.Cluster {
	t.Helper()
	if testing.Short() {
		t.Skip("integration: a real rqlite cluster (run without -short, or make test)")
	}
	if _, err := rqlitetest.BinaryPath(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%v: run make rqlited", err)
		}
		t.Skipf("%v: run make rqlited", err)
	}
	return rqlitetest.Start(t, n)
}

// rotated lists the cluster's hosts starting at member i, so that tests
// reach the cluster through followers as well as the leader.
func rotated(c *rqlitetest.Cluster, i int) string {
	addrs := c.Addrs()
	i %= len(addrs)
	return "rqlite://" + strings.Join(append(addrs[i:], addrs[:i]...), ",")
}

// dropAll empties the cluster's database: every table, in reverse order of
// creation so that no foreign key points at a dropped table (indexes and
// triggers go with their tables).
func dropAll(t *testing.T, url string) {
	t.Helper()
	ctx := context.Background()
	db, err := store.OpenBackend(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(ctx, store.Q(`SELECT name FROM sqlite_master
		WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid DESC`))
	if err != nil {
		t.Fatal(err)
	}
	var drops []store.Stmt
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		drops = append(drops, store.Q(`DROP TABLE "`+name+`"`))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(drops) > 0 {
		if _, err := db.Exec(ctx, drops...); err != nil {
			t.Fatalf("drop tables: %v", err)
		}
	}
}

// TestRqliteContract runs the store's contract on a 3-node cluster, each
// subtest on an empty database reached through a different first member.
func TestRqliteContract(t *testing.T) {
	c := startCluster(t, 3)
	n := 0
	storetest.Run(t, func(t *testing.T) *store.Store {
		url := rotated(c, n)
		n++
		dropAll(t, url)
		st, err := store.Open(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	})
}

// TestRqliteBackend checks what the contract cannot see: the query
// endpoint refuses writes, values scan as on SQLite, a batch is atomic, a
// dead host is skipped, and a cluster without a leader is "unavailable".
func TestRqliteBackend(t *testing.T) {
	c := startCluster(t, 3)
	ctx := context.Background()
	st, err := store.Open(ctx, rotated(c, 1))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	db := st.Backend()
	if _, err := db.Exec(ctx,
		store.Q(`CREATE TABLE kv (k TEXT PRIMARY KEY, n INTEGER, f REAL, b TEXT)`),
		store.Q(`INSERT INTO kv (k, n, f, b) VALUES (?, ?, ?, ?)`, "a", int64(1)<<40, 2.5, nil)); err != nil {
		t.Fatal(err)
	}

	t.Run("SQLRefusesWrites", func(t *testing.T) {
		for _, q := range []string{
			`INSERT INTO kv (k) VALUES ('x')`,
			`DELETE FROM kv`,
			`UPDATE kv SET n = 0`,
			`DROP TABLE kv`,
			`CREATE TABLE t2 (x)`,
			`WITH x AS (SELECT 1) DELETE FROM kv`,
			`SELECT 1; DELETE FROM kv`,
			`PRAGMA foreign_keys = OFF`,
			`PRAGMA journal_mode = DELETE`,
			`PRAGMA case_sensitive_like(1)`,
			`/* ; */ SELECT ';' AS "a;b"; PRAGMA case_sensitive_like = 1`,
			`ATTACH DATABASE '/tmp/netipam-rqlite-attach.db' AS x`,
			`VACUUM INTO '/tmp/netipam-rqlite-vacuum.db'`,
			`PRAGMA query_only = 0`,
			`BEGIN`,
			`SAVEPOINT s`,
		} {
			_, err := collect(ctx, st, q)
			if !errors.Is(err, store.ErrReadOnly) {
				t.Errorf("netipam sql %q: got %v, want a read-only refusal", q, err)
			}
		}
		for _, q := range []string{`PRAGMA table_info(kv)`, `PRAGMA foreign_keys`, `SELECT ';' AS "x;y" -- ;`,
			`SELECT * FROM pragma_table_info('kv')`} {
			if _, err := collect(ctx, st, q); err != nil {
				t.Errorf("netipam sql %q: %v", q, err)
			}
		}
		tb, err := collect(ctx, st, `SELECT COUNT(*) AS n FROM kv`)
		if err != nil || tb.Rows[0][0] != int64(1) {
			t.Fatalf("count after refused writes: %v %v, want 1", tb, err)
		}
	})

	t.Run("ScanTypes", func(t *testing.T) {
		tb, err := collect(ctx, st, `SELECT k, n, f, b, COUNT(*) AS c, 1000000 AS m FROM kv`)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(tb.Columns, ","); got != "k,n,f,b,c,m" {
			t.Fatalf("columns %s", got)
		}
		want := []any{"a", int64(1) << 40, 2.5, nil, int64(1), int64(1000000)}
		if got := tb.Rows[0]; fmt.Sprintf("%#v", got) != fmt.Sprintf("%#v", want) {
			t.Fatalf("row %#v, want %#v", got, want)
		}
		rows, err := db.Query(ctx, store.Q(`SELECT k, n, f, b FROM kv WHERE k = ?`, "a"))
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		if !rows.Next() {
			t.Fatalf("no row: %v", rows.Err())
		}
		var k, b string = "", "not null"
		var n int64
		var f float64
		if err := rows.Scan(&k, &n, &f, &b); err != nil {
			t.Fatal(err)
		}
		if k != "a" || n != 1<<40 || f != 2.5 || b != "" {
			t.Fatalf("scanned %q %d %v %q", k, n, f, b)
		}
		if rows.Next() {
			t.Fatal("a second row")
		}
	})

	t.Run("BatchIsAtomic", func(t *testing.T) {
		_, err := db.Exec(ctx,
			store.Q(`INSERT INTO kv (k) VALUES (?)`, "b"),
			store.Q(`INSERT INTO kv (k) VALUES (?)`, "a"), // duplicate
			store.Q(`INSERT INTO kv (k) VALUES (?)`, "c"))
		var ce *store.ConflictError
		if !errors.As(err, &ce) || !strings.Contains(ce.Constraint, "UNIQUE constraint failed: kv.k") {
			t.Fatalf("duplicate in a batch: %v, want a UNIQUE conflict", err)
		}
		var cnt int64
		rows, err := db.Query(ctx, store.Q(`SELECT COUNT(*) FROM kv`))
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			rows.Scan(&cnt)
		}
		if cnt != 1 {
			t.Fatalf("%d rows after a failed batch, want 1", cnt)
		}
		n, err := db.Exec(ctx, store.Q(`INSERT INTO kv (k) VALUES (?)`, "b"), store.Q(`UPDATE kv SET n = 7`))
		if err != nil || len(n) != 2 || n[0] != 1 || n[1] != 2 {
			t.Fatalf("rows affected %v %v, want [1 2]", n, err)
		}
		_, err = db.Exec(ctx, store.Q(`INSERT INTO nosuch VALUES (1)`))
		if err == nil || errors.Is(err, store.ErrUnavailable) || !strings.Contains(err.Error(), "no such table") {
			t.Fatalf("missing table: %v", err)
		}
	})

	t.Run("DeadHostSkipped", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		dead := l.Addr().String()
		l.Close() // nothing listens there now
		url := "rqlite://" + dead + "," + strings.Join(c.Addrs(), ",")
		db2, err := store.OpenBackend(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer db2.Close()
		if _, err := db2.Exec(ctx, store.Q(`INSERT INTO kv (k) VALUES (?)`, "via-failover")); err != nil {
			t.Fatalf("write with a dead first host: %v", err)
		}
		if _, err := db2.Query(ctx, store.Q(`SELECT k FROM kv`)); err != nil {
			t.Fatalf("read with a dead first host: %v", err)
		}
	})

	t.Run("FollowerDown", func(t *testing.T) {
		leader, err := c.Leader()
		if err != nil {
			t.Fatal(err)
		}
		follower := (leader + 1) % 3
		c.Kill(follower)
		db2, err := store.OpenBackend(ctx, rotated(c, follower)) // the dead one first
		if err != nil {
			t.Fatal(err)
		}
		defer db2.Close()
		if _, err := db2.Exec(ctx, store.Q(`INSERT INTO kv (k) VALUES (?)`, "one-down")); err != nil {
			t.Fatalf("write with one follower down: %v", err)
		}
		c.Restart(follower)
		if err := c.WaitReady(30*time.Second, true); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("NoLeaderIsUnavailable", func(t *testing.T) {
		leader, err := c.Leader()
		if err != nil {
			t.Fatal(err)
		}
		survivor := (leader + 1) % 3
		for i := 0; i < 3; i++ {
			if i != survivor {
				c.Kill(i)
			}
		}
		db2, err := store.OpenBackend(ctx, rotated(c, survivor)+"?timeout=3s")
		if err != nil {
			t.Fatal(err)
		}
		defer db2.Close()
		// The survivor may take up to an election timeout to notice.
		deadline := time.Now().Add(20 * time.Second)
		var werr, qerr error
		for tries := 0; tries < 100 && time.Now().Before(deadline); tries++ {
			_, werr = db2.Exec(ctx, store.Q(`INSERT INTO kv (k) VALUES (?)`, fmt.Sprint("lost-", tries)))
			_, qerr = db2.Query(ctx, store.Q(`SELECT COUNT(*) FROM kv`))
			if werr != nil && qerr != nil {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		if !errors.Is(werr, store.ErrUnavailable) {
			t.Errorf("write without a leader: %v, want unavailable", werr)
		}
		if !errors.Is(qerr, store.ErrUnavailable) {
			t.Errorf("weak read without a leader: %v, want unavailable", qerr)
		}
		// level=none reads the member's own copy, leader or not.
		db3, err := store.OpenBackend(ctx, "rqlite://"+c.Addrs()[survivor]+"?level=none")
		if err != nil {
			t.Fatal(err)
		}
		defer db3.Close()
		if _, err := db3.Query(ctx, store.Q(`SELECT COUNT(*) FROM kv`)); err != nil {
			t.Errorf("level=none read without a leader: %v", err)
		}
	})
}

// clusterDemo gives a store on a real 3-node cluster holding the demo
// topology, nodes and allocations; it is closed when the test ends.
func clusterDemo(t *testing.T) *store.Store {
	t.Helper()
	c := startCluster(t, 3)
	st, err := store.Open(context.Background(), rotated(c, 1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	storetest.LoadDemo(t, st)
	return st
}
