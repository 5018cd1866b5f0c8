package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSQLIsReadOnlyByConstruction feeds `netipam sql` hostile input: each
// is refused (exit 2, a clear one-line message), the store is unchanged,
// no file appears anywhere in the temp dir nor at the targets, and a write
// command still works afterwards.
func TestSQLIsReadOnlyByConstruction(t *testing.T) {
	t.Parallel()
	url, path := seeded(t)
	mustRun(t, url, "alloc", "--node", "node-01", "--container", "c1")
	before := dump(t, path)
	dir := filepath.Dir(path)
	other := t.TempDir()
	target := filepath.Join(other, "stolen.db")
	files := tree(t, dir)
	cases := []string{
		`SELECT 1; DELETE FROM allocations`,
		`PRAGMA query_only=0; DELETE FROM allocations`,
		`PRAGMA query_only=0`,
		`PRAGMA query_only=OFF`,
		`ATTACH DATABASE '` + target + `' AS x`,
		`ATTACH '` + filepath.Join(dir, "beside.db") + `' AS x`,
		`VACUUM INTO '` + target + `'`,
		`VACUUM`,
		`DROP TRIGGER subnets_no_overlap`,
		`DELETE FROM events`,
		`DELETE FROM allocations`,
		`INSERT INTO zones (id, created_at) VALUES ('z', 'now')`,
		`REPLACE INTO zones (id, created_at) VALUES ('z', 'now')`,
		`UPDATE allocations SET node_id = 'node-02'`,
		`CREATE TABLE t (x)`,
		`CREATE TEMP TABLE t (x)`,
		`CREATE VIEW v AS SELECT 1`,
		`PRAGMA writable_schema=1`,
		`PRAGMA journal_mode=DELETE`,
		`PRAGMA user_version=9`,
		`PRAGMA wal_checkpoint(TRUNCATE)`,
		`BEGIN`,
		`BEGIN IMMEDIATE; DELETE FROM events; COMMIT`,
		`SAVEPOINT s`,
		`SELECT load_extension('/nonexistent/x.so')`,
		`WITH x AS (SELECT 1) DELETE FROM allocations`,
		`WITH x AS (SELECT 1) INSERT INTO zones (id, created_at) SELECT 'z', 'now' FROM x`,
		`ANALYZE`,
		`REINDEX`,
		`ALTER TABLE zones ADD COLUMN x`,
		`/* ; */ SELECT ';'; DELETE FROM events -- ;`,
		``,
		`  ;  `,
	}
	for _, q := range cases {
		r := run(t, url, "sql", q)
		if r.code != 2 {
			t.Errorf("sql %q: exit %d, want 2; stderr %q", q, r.code, r.stderr)
		}
		if !strings.HasPrefix(r.stderr, "netipam: ") || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "read-only") {
			t.Errorf("sql %q: stderr %q: want one line saying read-only", q, r.stderr)
		}
		if r.stdout != "" {
			t.Errorf("sql %q: stdout %q", q, r.stdout)
		}
		if got := tree(t, dir); !slices.Equal(got, files) {
			t.Fatalf("sql %q: files %v, want %v", q, got, files)
		}
		if got := tree(t, other); !slices.Equal(got, []string{"."}) {
			t.Fatalf("sql %q created %v", q, got)
		}
		if dump(t, path) != before {
			t.Fatalf("sql %q changed the store", q)
		}
	}
	mustRun(t, url, "alloc", "--node", "node-01", "--container", "c2")
	if dump(t, path) == before {
		t.Fatal("alloc after the refused queries changed nothing")
	}
	for _, q := range []string{`PRAGMA table_info(allocations)`, `SELECT * FROM pragma_index_list('allocations')`,
		`PRAGMA user_version`, `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 9) SELECT SUM(x) FROM c`} {
		mustRun(t, url, "sql", q)
	}
}

// neverEnds is a recursive CTE that produces rows for ever; countForever
// never produces its one row.
const (
	neverEnds    = `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT x FROM c`
	countForever = `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT COUNT(*) FROM c`
	// rowThenForever gives one row, then searches for ever.
	rowThenForever = `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT x FROM c WHERE x = 1 OR x < 0`
)

// TestSQLRunawayQueryEnds: --timeout ends a query that never answers, even
// between two rows; --limit cuts one that never stops, and says so.
func TestSQLRunawayQueryEnds(t *testing.T) {
	url, _ := seeded(t)
	for _, q := range []string{countForever, rowThenForever} {
		r := run(t, url, "sql", "--timeout", "1s", q)
		if r.code != 2 || !strings.Contains(r.stderr, "--timeout 1s") {
			t.Errorf("sql --timeout 1s %q: exit %d, stderr %q; want 2 naming --timeout", q, r.code, r.stderr)
		}
	}
	r := run(t, url, "sql", "--limit", "5", "--timeout", "20s", neverEnds)
	if r.code != 0 || r.stdout != "x\n1\n2\n3\n4\n5\n" || !strings.Contains(r.stderr, "cut at 5 rows") {
		t.Errorf("sql --limit 5: exit %d, stdout %q, stderr %q; want 5 rows and a note", r.code, r.stdout, r.stderr)
	}
	r = run(t, url, "sql", "--limit", "3", "-o", "json", neverEnds)
	var out struct {
		Columns   []string         `json:"columns"`
		Rows      []map[string]int `json:"rows"`
		Truncated bool             `json:"truncated"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || !out.Truncated || len(out.Rows) != 3 || out.Rows[2]["x"] != 3 {
		t.Errorf("sql --limit 3 -o json: %q (%v), want 3 rows and truncated", r.stdout, err)
	}
	r = run(t, url, "sql", "-o", "json", "SELECT COUNT(*) AS x FROM zones")
	out.Truncated, out.Rows = true, nil
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || out.Truncated || len(out.Rows) != 1 || out.Rows[0]["x"] != 2 {
		t.Errorf("sql -o json: %q (%v), want rows, not truncated", r.stdout, err)
	}
	r = run(t, url, "sql", "--limit", "3", "-o", "csv", neverEnds)
	if r.stdout != "x\n1\n2\n3\n" || !strings.Contains(r.stderr, "cut at 3 rows") {
		t.Errorf("sql --limit 3 -o csv: %q %q", r.stdout, r.stderr)
	}
	for _, bad := range [][]string{{"--timeout", "0s"}, {"--limit", "-1"}, {"--timeout", "soon"}} {
		if r := run(t, url, append([]string{"sql"}, append(bad, "SELECT 1")...)...); r.code != 2 {
			t.Errorf("sql %v: exit %d, want 2", bad, r.code)
		}
	}
}

// TestSQLSignalStopsQuery sends SIGINT and SIGTERM to a real netipam
// running a query that never ends (its --timeout far away): it stops at
// once, saying it was interrupted, and the store is unchanged.
func TestSQLSignalStopsQuery(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("watches /proc for the process to open the store")
	}
	url, path := seeded(t)
	before := dump(t, path)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		for _, q := range []string{countForever, rowThenForever} {
			cmd := exec.Command(binary, "sql", "--timeout", "10m", q)
			cmd.Env = append(os.Environ(), "NETIPAM_STORE="+url)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			waitOpen(t, cmd.Process.Pid, path) // past signal set-up, at the query
			time.Sleep(100 * time.Millisecond)
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			waited := make(chan error, 1)
			go func() { waited <- cmd.Wait() }()
			select {
			case err := <-waited:
				if err == nil || !strings.Contains(stderr.String(), "interrupted") {
					t.Errorf("%v: %v, stderr %q; want a non-zero exit saying interrupted", sig, err, stderr.String())
				}
			case <-time.After(30 * time.Second): // a bound for a broken build, not a speed check
				cmd.Process.Kill()
				t.Fatalf("%v did not stop `netipam sql %s`", sig, q)
			}
		}
	}
	if dump(t, path) != before {
		t.Fatal("the store changed")
	}
}

// waitOpen waits until process pid has the file open.
func waitOpen(t *testing.T, pid int, path string) {
	t.Helper()
	fds := fmt.Sprintf("/proc/%d/fd", pid)
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		es, _ := os.ReadDir(fds)
		for _, e := range es {
			if target, err := os.Readlink(filepath.Join(fds, e.Name())); err == nil && target == path {
				return
			}
		}
	}
	t.Fatalf("process %d never opened %s", pid, path)
}
