package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/netipam/netipam/store"
)

// TestClusterCheckBackupArchive runs check, backup and events archive on
// a real 3-node rqlite cluster: check passes, the backup is a sound SQLite
// store with every allocation, the archive deletes only what it wrote, and
// the schema's retention rule refuses a raw delete of a young event there
// too (it reads no clock, see migrations/0005_events_retention.sql).
func TestClusterCheckBackupArchive(t *testing.T) {
	c := startRqlite(t)
	url := c.URL()
	mustSeed(t, url, "topo", "import", repoPath("testdata/topology.yaml"))
	mustSeed(t, url, "node", "import", repoPath("testdata/nodes.yaml"))
	now := time.Now().UTC()
	day := 24 * time.Hour
	for _, s := range []struct {
		age  time.Duration
		node string
		c    string
	}{{100 * day, "node-01", "old"}, {10 * day, "node-03", "young"}, {0, "node-05", "now"}} {
		t.Setenv("NETIPAM_NOW", now.Add(-s.age).Format(time.RFC3339))
		mustRun(t, url, "alloc", "--node", s.node, "--container", s.c)
	}
	t.Setenv("NETIPAM_NOW", "")
	if r := run(t, url, "check"); r.code != 0 || !strings.Contains(r.stdout, "6 allocations") {
		t.Fatalf("check on rqlite: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	backup := filepath.Join(t.TempDir(), "backup.db")
	mustRun(t, url, "backup", backup)
	if r := run(t, "sqlite://"+backup, "check"); r.code != 0 || !strings.Contains(r.stdout, "6 allocations") {
		t.Fatalf("check of the rqlite backup: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	file := filepath.Join(t.TempDir(), "events.jsonl")
	cutoff := now.Add(-50 * day)
	// old's two addresses and the seed's topology and node events (at
	// seedNow: the ledger is in time order).
	seed := mustRun(t, url, "sql", "-o", "csv", "SELECT COUNT(*) AS n FROM events WHERE kind NOT IN ('allocate', 'release') AND at < '"+
		cutoff.Format(time.RFC3339)+"'")
	n, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(seed, "n\n")))
	if err != nil || n == 0 {
		t.Fatalf("seed events: %q %v", seed, err)
	}
	out := mustRun(t, url, "events", "archive", "--before", cutoff.Format(time.RFC3339), "--to", file)
	if want := fmt.Sprintf("archived %d events", n+2); !strings.Contains(out, want) {
		t.Errorf("archive on rqlite said %q, want %q", out, want)
	}
	db, err := store.OpenBackend(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{`DELETE FROM events WHERE container = 'young'`, `DELETE FROM events`} {
		if _, err := db.Exec(context.Background(), store.Q(q)); err == nil || !strings.Contains(err.Error(), "only by netipam events archive") {
			t.Errorf("rqlite %s: %v, want the schema's refusal", q, err)
		}
	}
	if r := run(t, url, "check"); r.code != 0 {
		t.Errorf("check on rqlite after the archive: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
