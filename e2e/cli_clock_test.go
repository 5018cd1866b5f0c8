package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/netipam/netipam/store"
)

// TestShippedBinaryIgnoresClockOverride: a binary built as `make build`
// builds it, without the build tag netipam_testclock, ignores
// NETIPAM_NOW: its allocation's event is dated by the system's clock.
func TestShippedBinaryIgnoresClockOverride(t *testing.T) {
	t.Parallel()
	shipped := filepath.Join(t.TempDir(), "netipam")
	build := goBuild("-trimpath", "-ldflags", "-s -w", "-o", shipped)
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if testing.Short() { // the flags of the test build: its cache serves
		build = goBuild("-o", shipped)
	}
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build netipam without the tag: %v\n%s", err, out)
	}
	url, path := seeded(t)
	from := time.Now().UTC().Add(-time.Second)
	cmd := exec.Command(shipped, "alloc", "--node", "node-01", "--container", "c1", "--family", "4")
	cmd.Env = append(os.Environ(), "NETIPAM_STORE="+url, store.EnvNow+"=2020-06-01T00:00:00Z")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("shipped netipam alloc: %v\n%s", err, out)
	}
	to := time.Now().UTC().Add(time.Second)
	_, rows := sqlScan(t, path, `SELECT at FROM events WHERE kind = 'allocate' AND container = 'c1'`)
	if len(rows) != 1 {
		t.Fatalf("%d allocate events of c1, want 1", len(rows))
	}
	at, err := time.Parse(time.RFC3339Nano, rows[0][0].(string))
	if err != nil {
		t.Fatal(err)
	}
	if at.Before(from) || at.After(to) {
		t.Fatalf("event dated %s, want the system's clock (between %s and %s), not NETIPAM_NOW", at, from, to)
	}
}

// TestLedgerRefusesBackdatedAlloc: with the clock set back (a test build
// honours NETIPAM_NOW), an allocation whose event would be dated years
// before the ledger's latest is refused, exit 2, and nothing is written.
func TestLedgerRefusesBackdatedAlloc(t *testing.T) {
	t.Parallel()
	url, path := seeded(t)
	mustRunAt(t, url, "2026-01-01T00:00:00Z", "", "alloc", "--node", "node-01", "--container", "c1", "--family", "4")
	before := dump(t, path)
	r := runAt(t, url, "2020-01-02T00:00:00Z", "", "alloc", "--node", "node-01", "--container", "c2", "--family", "4")
	if r.code != 2 || !strings.Contains(r.stderr, "before the latest event") {
		t.Fatalf("back-dated alloc: exit %d %s, want 2 naming the ledger's order", r.code, r.stderr)
	}
	if dump(t, path) != before {
		t.Fatal("a refused back-dated alloc changed the store")
	}
}

// TestEventsArchiveClockAhead: a caller whose clock is a year ahead cannot
// archive events minutes old: 30 days count from the ledger's latest
// event.
func TestEventsArchiveClockAhead(t *testing.T) {
	t.Parallel()
	url, path := seeded(t)
	for _, c := range []string{"c1", "c2", "c3"} {
		mustRun(t, url, "alloc", "--node", "node-01", "--container", c, "--family", "4")
	}
	ahead := time.Now().UTC().Add(365 * 24 * time.Hour)
	before := dump(t, path)
	file := filepath.Join(t.TempDir(), "events.jsonl")
	r := runAt(t, url, ahead.Format(time.RFC3339), "", "events", "archive", "--before",
		ahead.Add(-31*24*time.Hour).Format(time.RFC3339), "--to", file)
	if r.code != 2 || !strings.Contains(r.stderr, "latest event") {
		t.Fatalf("archive with a clock a year ahead: exit %d %s, want 2 measured from the ledger's latest event", r.code, r.stderr)
	}
	if dump(t, path) != before {
		t.Fatal("the archive deleted events")
	}
	if _, err := os.Stat(file); err == nil {
		t.Fatal("a refused archive wrote its file")
	}
}
