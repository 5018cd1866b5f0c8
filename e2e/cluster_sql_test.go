package e2e

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/netipam/netipam/store"
)

// clusterDump renders every netipam table of an rqlite store, for
// before/after comparison, with the schema (triggers included).
func clusterDump(t *testing.T, url string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := store.OpenBackend(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	return renderTables(t, append([]string{"sqlite_master"}, dumpTables...), func(q string) (tableRows, error) {
		return db.Query(ctx, store.Q(q))
	})
}

// TestClusterSQLIsReadOnly sends hostile `netipam sql` input through
// different members of a real 3-node rqlite cluster: each is refused (exit
// 2), the data and schema are unchanged, no file appears at the targets,
// and a write still works afterwards. Commands that need an existing store
// refuse a cluster without netipam's schema, and create nothing in it.
func TestClusterSQLIsReadOnly(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an rqlite cluster")
	}
	c := startRqlite(t)
	for _, args := range [][]string{{"usage"}, {"alloc", "--node", "n0"}, {"sql", "SELECT 1"}} {
		r := run(t, c.URL(), args...)
		if r.code != 7 || !strings.Contains(r.stderr, "has no netipam schema") {
			t.Errorf("netipam %v on an empty cluster: exit %d, stderr %q; want 7 and 'has no netipam schema'", args, r.code, r.stderr)
		}
	}
	if out := mustRun(t, c.URL(), "init"); !strings.Contains(out, "created store") {
		t.Fatalf("init on an empty cluster said %q, want 'created store'", out)
	}
	seedCluster(t, c)
	mustRun(t, c.URL(), "alloc", "--node", "n0", "--container", "c1")
	before := clusterDump(t, c.URL())
	other := t.TempDir()
	target := filepath.Join(other, "stolen.db")
	cases := []string{
		`SELECT 1; DELETE FROM allocations`,
		`PRAGMA query_only=0; DELETE FROM allocations`,
		`PRAGMA query_only=0`,
		`PRAGMA foreign_keys=OFF`,
		`ATTACH DATABASE '` + target + `' AS x`,
		`VACUUM INTO '` + target + `'`,
		`VACUUM`,
		`DROP TRIGGER subnets_no_overlap`,
		`DELETE FROM events`,
		`INSERT INTO zones (id, created_at) VALUES ('z', 'now')`,
		`REPLACE INTO zones (id, created_at) VALUES ('z', 'now')`,
		`CREATE TABLE t (x)`,
		`PRAGMA writable_schema=1`,
		`BEGIN`,
		`SAVEPOINT s`,
		`SELECT load_extension('/nonexistent/x.so')`,
		`WITH x AS (SELECT 1) DELETE FROM allocations`,
	}
	for i, q := range cases {
		url := memberFirst(c, i)
		r := run(t, url, "sql", q)
		if r.code != 2 || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("sql %q via %s: exit %d, stderr %q; want 2 and one line", q, url, r.code, r.stderr)
		}
		if got := tree(t, other); !slices.Equal(got, []string{"."}) {
			t.Fatalf("sql %q created %v", q, got)
		}
	}
	if _, err := os.Stat(target); err == nil {
		t.Fatal("a file appeared at the ATTACH / VACUUM INTO target")
	}
	if after := clusterDump(t, c.URL()); after != before {
		t.Fatalf("hostile sql changed the cluster's store")
	}
	mustRun(t, memberFirst(c, 1), "alloc", "--node", "n1", "--container", "c2")
	if out := mustRun(t, memberFirst(c, 2), "sql", "SELECT COUNT(*) AS n FROM allocations"); out != "n\n2\n" {
		t.Fatalf("allocations after the refused queries: %q, want 2", out)
	}
	r := run(t, c.URL(), "sql", "--limit", "3", "-o", "csv", `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 100) SELECT x FROM c`)
	if r.code != 0 || r.stdout != "x\n1\n2\n3\n" || !strings.Contains(r.stderr, "cut at 3 rows") {
		t.Fatalf("sql --limit 3 on rqlite: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
}
