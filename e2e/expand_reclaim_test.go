package e2e

import (
	"strings"
	"testing"
	"time"
)

// subnet reclaim returns expanded blocks empty for the grace period, and
// only those: never a block that holds an address, never one used within
// the grace period, never an imported subnet.
func TestSubnetReclaim(t *testing.T) {
	url, path := seededExpand(t)
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) { t.Setenv(envNow, t0.Add(d).Format(time.RFC3339)) }
	at(0)
	mustRun(t, url, "subnet", "expand", "--tor", "t1") // 10.9.0.32/28
	mustRun(t, url, "subnet", "expand", "--tor", "t1") // 10.9.0.48/28, its buddy
	mustRun(t, url, "alloc", "--node", "n1", "--ip", "10.9.0.40")
	at(20 * time.Hour)
	mustRun(t, url, "alloc", "--node", "n1", "--ip", "10.9.0.50")
	mustRun(t, url, "release", "--ip", "10.9.0.50")

	before := dump(t, path)
	r := run(t, url, "subnet", "reclaim", "--grace", "soon")
	if r.code != 2 || !strings.Contains(r.stderr, `duration "soon": write a duration such as 90s, 15m, 24h, 7d or 1d12h`) {
		t.Errorf("bad --grace: exit %d, stderr %q", r.code, r.stderr)
	}
	at(30 * time.Hour) // the released block was used 10h ago
	if out := mustRun(t, url, "subnet", "reclaim"); !strings.Contains(out, "no expanded block has been empty for 1d") {
		t.Errorf("within the grace period: %q", out)
	}
	at(50 * time.Hour)
	out := mustRun(t, url, "subnet", "reclaim", "--dry-run")
	if !strings.Contains(out, "10.9.0.48/28\tt1\tdefault\t2026-03-02T08:00:00Z") || strings.Contains(out, "10.9.0.32/28") ||
		!strings.Contains(out, "dry run: 1 block(s) not returned") {
		t.Errorf("dry run listed %q, want only 10.9.0.48/28, empty since its release", out)
	}
	if after := dump(t, path); after != before {
		t.Fatal("bad input, a reclaim with nothing to return, or a dry run changed the store")
	}
	out = mustRun(t, url, "subnet", "reclaim", "-o", "json")
	if !strings.Contains(out, `"cidr": "10.9.0.48/28"`) || !strings.Contains(out, `"applied": true`) || strings.Contains(out, "10.9.0.32/28") {
		t.Errorf("reclaim printed %s", out)
	}
	want := "10.9.0.0/28 import,10.9.0.32/28 expand"
	if got := strings.Join(t1Blocks(t, path), ","); got != want {
		t.Errorf("t1's subnets after reclaim = %s, want %s", got, want)
	}
	ev := sqlRows(t, path, `SELECT kind, subnet, detail FROM events WHERE detail LIKE 'reclaim%'`)
	if len(ev) != 1 || !strings.HasPrefix(ev[0], "subnet 10.9.0.48/28 reclaim expanded block: empty since 2026-03-02T08:00:00Z") {
		t.Errorf("reclaim events = %q", ev)
	}
	at(1000 * time.Hour) // much later: the block with an address stays, imported subnets stay
	if out := mustRun(t, url, "subnet", "reclaim", "--grace", "1h"); !strings.Contains(out, "no expanded block") {
		t.Errorf("later reclaim: %q, want nothing returned", out)
	}
	if n := sqlRows(t, path, `SELECT COUNT(*) FROM subnets`); n[0] != "3" {
		t.Errorf("%s subnets left, want 3", n[0])
	}
}
