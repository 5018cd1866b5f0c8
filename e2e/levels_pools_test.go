package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// levelsStore gives a SQLite store with testdata/levels.yaml (TOR, pod and
// zone pools) and its nodes imported.
func levelsStore(t *testing.T) (url, path string) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "netipam.db")
	url = "sqlite://" + path
	mustRun(t, url, "topo", "import", repoPath("testdata/levels.yaml"))
	mustRun(t, url, "node", "import", repoPath("testdata/levels-nodes.yaml"))
	return url, path
}

// addressOf gives the address column of `alloc`'s one row.
func addressOf(t *testing.T, out string) string {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("alloc printed %d lines, want a header and one row:\n%s", len(lines), out)
	}
	return strings.Fields(lines[1])[0]
}

// TestPoolLevelsAllocationOrder: a node whose TOR is full for a purpose
// takes the next address from its pod's own subnet, then its zone's, then
// is told it is exhausted (exit 5) with nothing written; a purpose pinned
// to the pod takes the pod's subnet while its TOR still has room; which
// level served shows in subnet list, usage and topo show.
func TestPoolLevelsAllocationOrder(t *testing.T) {
	t.Parallel()
	url, path := levelsStore(t)
	for i, want := range []string{"10.0.0.2/30", "10.0.15.2/30", "10.0.200.2/30"} {
		if got := addressOf(t, mustRun(t, url, "alloc", "--node", "n1")); got != want {
			t.Fatalf("allocation %d: got %s, want %s (TOR, then pod, then zone)", i+1, got, want)
		}
	}
	before := dump(t, path)
	r := run(t, url, "alloc", "--node", "n1")
	if r.code != 5 || !strings.Contains(r.stderr, "no free IPv4 default address") {
		t.Fatalf("alloc with TOR, pod and zone full: exit %d, want 5\n%s", r.code, r.stderr)
	}
	if dump(t, path) != before {
		t.Fatal("a refused allocation changed the store")
	}
	// t2 shares p1's pool (now full) and z1's (full): its own TOR serves.
	if got := addressOf(t, mustRun(t, url, "alloc", "--node", "n2")); got != "10.0.2.2/30" {
		t.Fatalf("n2 got %s, want its TOR's 10.0.2.2/30", got)
	}
	// storage is pinned to the pod: t1's own storage subnet is never used.
	for range 3 {
		if got := addressOf(t, mustRun(t, url, "alloc", "--node", "n1", "--purpose", "storage")); !strings.HasPrefix(got, "10.0.14.") {
			t.Fatalf("pinned storage allocation got %s, want the pod's 10.0.14.0/24", got)
		}
	}
	list := mustRun(t, url, "subnet", "list")
	for _, want := range []string{"10.0.15.0/30\tdefault\t10.0.15.1\tpod:p1\tp1\tz1\t1", "10.0.200.0/30\tdefault\t10.0.200.1\tzone:z1\t\tz1\t1",
		"10.0.1.0/24\tstorage\t10.0.1.1\tt1\tp1\tz1\t0", "10.0.14.0/24\tstorage\t10.0.14.1\tpod:p1\tp1\tz1\t3"} {
		if !strings.Contains(list, want) {
			t.Errorf("subnet list lacks %q:\n%s", want, list)
		}
	}
	usage := mustRun(t, url, "usage")
	for _, want := range []string{"pod-pool\tp1\tdefault\tIPv4\t1\t1\t1", "zone-pool\tz1\tdefault\tIPv4\t1\t1\t1", "pod-pool\tp1\tstorage\tIPv4\t1\t3\t253"} {
		if !strings.Contains(usage, want) {
			t.Errorf("usage lacks %q:\n%s", want, usage)
		}
	}
	if show := mustRun(t, url, "topo", "show"); !strings.Contains(show, "pool 10.0.15.0/30  default  gw 10.0.15.1  1/1") ||
		!strings.Contains(show, "pool 10.0.200.0/30") {
		t.Errorf("topo show lacks the pools:\n%s", show)
	}
	// Another pod's pool never serves n1: the database refuses it.
	if r := run(t, url, "alloc", "--node", "n1", "--ip", "10.0.31.2"); r.code != 2 {
		t.Errorf("n1 took an address of pod p2's pool: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestPoolLevelsExportReimport: topo export writes the pods' and zones'
// subnets and the strategies; importing the export, with or without
// --prune, changes nothing; --prune never removes a pool subnet that holds
// addresses.
func TestPoolLevelsExportReimport(t *testing.T) {
	t.Parallel()
	url, path := levelsStore(t)
	mustRun(t, url, "alloc", "--node", "n1", "--purpose", "storage")
	exp := mustRun(t, url, "topo", "export")
	for _, want := range []string{"- cidr: 10.0.15.0/30", "- cidr: 10.0.200.0/30", "strategies:\n    storage: pod"} {
		if !strings.Contains(exp, want) {
			t.Errorf("export lacks %q:\n%s", want, exp)
		}
	}
	file := filepath.Join(t.TempDir(), "export.yaml")
	if err := os.WriteFile(file, []byte(exp), 0o644); err != nil {
		t.Fatal(err)
	}
	before := dump(t, path)
	for _, args := range [][]string{{"topo", "import", file}, {"topo", "import", "--prune", file}} {
		if out := mustRun(t, url, args...); !strings.Contains(out, "no changes") {
			t.Fatalf("%v changed something:\n%s", args, out)
		}
	}
	if dump(t, path) != before {
		t.Fatal("re-importing the export changed the store")
	}
	// Drop the pod's storage pool (it holds an address) and the strategy.
	pruned := strings.Replace(exp, "            - cidr: 10.0.14.0/24\n              purpose: storage\n              gateway: 10.0.14.1\n", "", 1)
	pruned = strings.Replace(pruned, "  strategies:\n    storage: pod\n", "", 1)
	if pruned == exp {
		t.Fatalf("the test's edit did not apply to the export:\n%s", exp)
	}
	if err := os.WriteFile(file, []byte(pruned), 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, url, "topo", "import", "--prune", file)
	if r.code != 4 || !strings.Contains(r.stderr, "subnet 10.0.14.0/24 holds 1 allocation") {
		t.Fatalf("--prune of a used pod subnet: exit %d, want 4\n%s%s", r.code, r.stdout, r.stderr)
	}
	if dump(t, path) != before {
		t.Fatal("a refused prune changed the store")
	}
	mustRun(t, url, "release", "--node", "n1")
	out := mustRun(t, url, "topo", "import", "--prune", file)
	for _, want := range []string{"- subnet 10.0.14.0/24 (pod p1)", "- strategy storage"} {
		if !strings.Contains(out, want) {
			t.Errorf("prune output lacks %q:\n%s", want, out)
		}
	}
	if got := addressOf(t, mustRun(t, url, "alloc", "--node", "n1", "--purpose", "storage")); !strings.HasPrefix(got, "10.0.1.") {
		t.Fatalf("storage without its pin and pool got %s, want t1's 10.0.1.0/24", got)
	}
}

// TestPoolLevelsBadRows: each bad pod or zone subnet (or strategy) is
// refused with one clear line naming file, field and what to do, exit 2,
// the store unchanged.
func TestPoolLevelsBadRows(t *testing.T) {
	t.Parallel()
	url, path := levelsStore(t)
	orig, err := os.ReadFile(repoPath("testdata/levels.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, old, new string
		want           []string
	}{
		{"pod subnet outside the pod prefix", "            - cidr: 10.0.15.0/30", "            - cidr: 10.0.100.0/30",
			[]string{"zones[0].pods[0].subnets[0].cidr", "10.0.100.0/30 is not inside pod p1 (10.0.0.0/20)", "widen the pod"}},
		{"pod subnet overlapping a TOR subnet", "            - cidr: 10.0.15.0/30", "            - cidr: 10.0.0.0/29",
			[]string{"zones[0].pods[0].subnets[0].cidr", "10.0.0.0/30", "overlap"}},
		{"zone subnet overlapping a pod subnet", "        - cidr: 10.0.200.0/30", "        - cidr: 10.0.15.0/29",
			[]string{"zones[0].subnets[0].cidr", "10.0.15.0/30", "overlap"}},
		{"zone subnet outside the zone", "        - cidr: 10.0.200.0/30", "        - cidr: 10.1.0.0/30",
			[]string{"zones[0].subnets[0].cidr", "is not inside zone z1 (10.0.0.0/16)"}},
		{"zone subnet too small", "        - cidr: 10.0.200.0/30", "        - cidr: 10.0.200.0/31",
			[]string{"zones[0].subnets[0].cidr", "too small"}},
		{"unknown strategy level", "    storage: pod", "    storage: rack",
			[]string{"strategies.storage", "unknown level \"rack\": use tor, pod or zone"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := strings.Replace(string(orig), tc.old, tc.new, 1)
			if bad == string(orig) {
				t.Fatalf("the edit %q did not apply", tc.old)
			}
			file := filepath.Join(t.TempDir(), "bad.yaml")
			if err := os.WriteFile(file, []byte(bad), 0o644); err != nil {
				t.Fatal(err)
			}
			before := dump(t, path)
			r := run(t, url, "topo", "import", file)
			if r.code != 2 {
				t.Fatalf("exit %d, want 2\n%s%s", r.code, r.stdout, r.stderr)
			}
			for _, want := range tc.want {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("error lacks %q:\n%s", want, r.stderr)
				}
			}
			if !strings.Contains(r.stderr, file) {
				t.Errorf("error does not name the file:\n%s", r.stderr)
			}
			if dump(t, path) != before {
				t.Fatal("a refused import changed the store")
			}
		})
	}
}

// TestPoolLevelsThroughServer: the server's long-lived pools take the same
// order, TOR, then pod, then zone, and the pin, for the CLI's --server.
func TestPoolLevelsThroughServer(t *testing.T) {
	t.Parallel()
	url, _ := levelsStore(t)
	s := startServe(t, url)
	srv := "unix://" + s.sock
	for i, want := range []string{"10.0.0.2/30", "10.0.15.2/30", "10.0.200.2/30"} {
		if got := addressOf(t, mustRun(t, url, "alloc", "--server", srv, "--node", "n1")); got != want {
			t.Fatalf("allocation %d through the server: got %s, want %s", i+1, got, want)
		}
	}
	if r := run(t, url, "alloc", "--server", srv, "--node", "n1"); r.code != 5 {
		t.Fatalf("through the server with TOR, pod and zone full: exit %d, want 5\n%s", r.code, r.stderr)
	}
	if got := addressOf(t, mustRun(t, url, "alloc", "--server", srv, "--node", "n1", "--purpose", "storage")); !strings.HasPrefix(got, "10.0.14.") {
		t.Fatalf("pinned storage through the server got %s, want the pod's 10.0.14.0/24", got)
	}
}

// TestPoolLevelsCNI: the real binary as a CNI plugin takes a node's TOR's,
// then its pod's, then its zone's address, and STATUS counts the pools:
// ready while one has room, error 50 once all are full.
func TestPoolLevelsCNI(t *testing.T) {
	t.Parallel()
	url, _ := levelsStore(t)
	conf := netConf("1.1.0", url, `"node": "n1"`)
	for i, want := range []string{"10.0.0.2/30", "10.0.15.2/30", "10.0.200.2/30"} {
		cniOK(t, cniCall{command: "STATUS", conf: conf})
		out := cniOK(t, cniCall{command: "ADD", container: fmt.Sprintf("c%d", i), conf: conf})
		if !strings.Contains(out, `"address": "`+want+`"`) {
			t.Fatalf("ADD %d: want %s from the %s level:\n%s", i+1, want, []string{"TOR", "pod", "zone"}[i], out)
		}
	}
	if e := cniFail(t, cniCall{command: "STATUS", conf: conf}); e.Code != 50 {
		t.Fatalf("STATUS with TOR, pod and zone full: code %d, want 50 (%s)", e.Code, e.Msg)
	}
}

// TestPoolLevelsOverVirtualTOR: a zone's subnet over a virtual TOR's is
// refused by name before anything is written (exit 4).
func TestPoolLevelsOverVirtualTOR(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "netipam.db")
	url := "sqlite://" + path
	mustRun(t, url, "node", "register", "--id", "nv")
	mustRun(t, url, "subnet", "add", "--tor", "virtual-nv", "--cidr", "10.0.200.0/24")
	before := dump(t, path)
	r := run(t, url, "topo", "import", repoPath("testdata/levels.yaml"))
	if r.code != 4 || !strings.Contains(r.stderr, "subnet 10.0.200.0/30 of zone z1 overlaps stored subnet 10.0.200.0/24 of virtual tor virtual-nv") {
		t.Fatalf("exit %d, want 4\n%s", r.code, r.stderr)
	}
	if dump(t, path) != before {
		t.Fatal("a refused import changed the store")
	}
}
