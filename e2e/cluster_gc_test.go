package e2e

import (
	"strings"
	"testing"
	"time"
)

// TestClusterGC: gc's two phases, its report, leaks, nodes and the
// forecast on a real 3-node rqlite cluster, each run from another member.
func TestClusterGC(t *testing.T) {
	c := startRqlite(t)
	seedCluster(t, c)
	for i, ctr := range []string{"k1", "k2", "k3"} {
		mustRunAt(t, memberFirst(c, i), gcAt(0), "", "alloc", "--node", "n0", "--network", "net1", "--container", ctr)
	}
	gc := func(member int, d time.Duration, extra ...string) string {
		return mustRunAt(t, memberFirst(c, member), gcAt(d), "net1 k1 eth0\n",
			append([]string{"gc", "--node", "n0", "--live", "-"}, extra...)...)
	}
	if out := gc(0, 0); !strings.Contains(out, "2 marked") {
		t.Fatalf("first run:\n%s", out)
	}
	if out := mustRun(t, memberFirst(c, 1), "report", "leaks", "--node", "n0"); strings.Count(out, "net1") != 2 {
		t.Fatalf("report leaks:\n%s", out)
	}
	if out := gc(1, 10*time.Minute); !strings.Contains(out, "0 released, 0 marked, 2 waiting") {
		t.Fatalf("within the grace period:\n%s", out)
	}
	if out := gc(2, 20*time.Minute, "--dry-run"); !strings.Contains(out, "2 would be released") {
		t.Fatalf("dry run:\n%s", out)
	}
	// A reviewed report: refused whole when tampered, applied exactly.
	report := gc(2, 20*time.Minute, "--dry-run", "-o", "json")
	dir := t.TempDir()
	bad := writeFile(t, dir, "bad.json", strings.Replace(report, `"container": "k3"`, `"container": "k9"`, 1))
	if r := runAt(t, memberFirst(c, 1), gcAt(21*time.Minute), "", "gc", "--from-report", bad); r.code != 4 ||
		!strings.Contains(r.stderr, "no longer match") {
		t.Fatalf("tampered report: exit %d %s", r.code, r.stderr)
	}
	good := writeFile(t, dir, "report.json", report)
	if out := mustRunAt(t, memberFirst(c, 1), gcAt(21*time.Minute), "", "gc", "--from-report", good); !strings.Contains(out, "2 released") {
		t.Fatalf("from the report:\n%s", out)
	}
	left := mustRun(t, memberFirst(c, 0), "sql", "SELECT container FROM allocations WHERE node_id = 'n0'")
	if !strings.Contains(left, "k1") || strings.Contains(left, "k2") || strings.Contains(left, "k3") {
		t.Fatalf("left:\n%s", left)
	}
	if out := mustRun(t, memberFirst(c, 1), "report", "nodes"); !strings.Contains(out, "n0\ttor-big\tdefault\tIPv4\t1\t0") {
		t.Fatalf("report nodes:\n%s", out)
	}
	if out := mustRunAt(t, memberFirst(c, 2), gcAt(time.Hour), "", "report", "forecast"); !strings.Contains(out, "tor-big") {
		t.Fatalf("report forecast:\n%s", out)
	}
}
