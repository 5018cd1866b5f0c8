package e2e

import (
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
)

// TestClusterMigrate runs the Kubernetes node import and the host-local
// takeover on a real 3-node rqlite cluster, through different members: the
// same results as on SQLite, a second run of each changes nothing, a move
// of a node holding addresses is refused with the store unchanged, and
// netipam's own allocations then never take a migrated address.
func TestClusterMigrate(t *testing.T) {
	c := startRqlite(t)
	url := memberFirst(c, 0)
	mustRun(t, url, "topo", "import", repoPath("testdata/topology.yaml"))
	mustRun(t, url, "node", "import", repoPath("testdata/nodes.yaml"))
	withoutExpansion(t, url) // "the subnet is full": the TOR must not grow

	kube := []string{"node", "import", "--from-kubernetes", kubeNodes(), "--tor-label", torLabel, "--prune"}
	mustRun(t, memberFirst(c, 1), "alloc", "--node", "node-05")
	r := run(t, memberFirst(c, 1), kube...)
	if r.code != 0 || !strings.Contains(r.stdout, "1 registered, 3 updated, 0 unchanged, 1 without label") ||
		!strings.Contains(r.stdout, "4 removed, 1 kept") {
		t.Fatalf("kube import: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	before := clusterDump(t, url)
	mustRun(t, memberFirst(c, 2), kube...)
	if after := clusterDump(t, url); after != before {
		t.Fatalf("second kube import changed the store:\n%s", changedLines(before, after))
	}

	dir := hostLocalLeases(t, 10) // 10.244.5.2-11 inside tor-1's management subnet
	args := []string{"migrate", "host-local", "--data-dir", dir, "--network", "hlnet", "--node", "node-01"}
	r = run(t, memberFirst(c, 2), args...)
	if r.code != 0 || !strings.Contains(r.stdout, "10 imported, 0 already imported, 10 skipped") {
		t.Fatalf("migrate: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	before = clusterDump(t, url)
	mustRun(t, memberFirst(c, 0), args...)
	moved := kubeList(t, kubeItem("node-01", "tor-2"))
	if r = run(t, memberFirst(c, 1), "node", "import", "--from-kubernetes", moved, "--tor-label", torLabel); r.code != 4 {
		t.Errorf("move of a holder: exit %d, want 4\n%s", r.code, r.stderr)
	}
	if after := clusterDump(t, url); after != before {
		t.Fatalf("second migrate or refused move changed the store:\n%s", changedLines(before, after))
	}
	out := mustRun(t, memberFirst(c, 1), "alloc", "--node", "node-01", "--purpose", "management", "--count", "51", "-o", "json")
	var got []struct{ Address string }
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	for _, a := range got {
		ip := netip.MustParseAddr(a.Address)
		if lo, hi := netip.MustParseAddr("10.244.5.2"), netip.MustParseAddr("10.244.5.11"); !ip.Less(lo) && !hi.Less(ip) {
			t.Errorf("alloc returned migrated %s", ip)
		}
	}
	if r = run(t, url, "alloc", "--node", "node-01", "--purpose", "management"); r.code != 5 {
		t.Errorf("management subnet should be full (61 = 10 migrated + 51): exit %d\n%s", r.code, r.stderr)
	}
}
