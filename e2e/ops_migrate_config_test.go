package e2e

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// node01Conflist is a node's host-local config as kubeadm-era clusters
// wrote them: a bridge with host-local IPAM, an IPv4 range narrowed by
// rangeStart/rangeEnd and an IPv6 range, then portmap.
const node01Conflist = `{
  "cniVersion": "1.0.0",
  "name": "k8s-pod-network",
  "plugins": [
    {
      "type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": true,
      "ipam": {
        "type": "host-local",
        "ranges": [
          [{"subnet": "10.96.1.0/24", "rangeStart": "10.96.1.10", "rangeEnd": "10.96.1.200"}],
          [{"subnet": "fd00:96:1::/64"}]
        ],
        "routes": [{"dst": "0.0.0.0/0"}],
        "dataDir": %q
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}`

// node02Conf is an older single-plugin config with the legacy range
// fields.
const node02Conf = `{
  "cniVersion": "0.3.1", "name": "k8s-pod-network", "type": "bridge", "bridge": "cni0",
  "ipam": {"type": "host-local", "subnet": "10.96.2.0/24", "rangeStart": "10.96.2.2",
           "rangeEnd": "10.96.2.254", "gateway": "10.96.2.254"}
}`

// TestMigrateHostLocalConfig converts two nodes' host-local configs into a
// topology and nodes file that pass `topo import --dry-run` on an empty
// store and beside the demo topology, imports them, takes over node-01's
// leases written by the real host-local with that very config, checks that
// netipam then hands out only what host-local would (inside rangeStart to
// rangeEnd, never a migrated address), and moves node-01 to a real TOR
// once it has drained, as docs/operations.md's steps say (Migrating from host-local).
func TestMigrateHostLocalConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dataDir := filepath.Join(dir, "networks")
	conf1 := fmt.Sprintf(node01Conflist, dataDir)
	c1 := writeFile(t, dir, "node-01.conflist", conf1)
	c2 := writeFile(t, dir, "node-02.conf", node02Conf)
	out := filepath.Join(dir, "compat")
	r := run(t, "sqlite:///nonexistent/never.db", "migrate", "host-local-config", "node-01="+c1, "node-02="+c2, "--out-dir", out)
	if r.code != 0 || !strings.Contains(r.stdout, "(2 TORs, 3 subnets)") {
		t.Fatalf("convert: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	topoFile, nodesFile := filepath.Join(out, "topology.yaml"), filepath.Join(out, "nodes.yaml")

	// Beside the demo topology (disjoint ranges): a dry run passes.
	url, path := seeded(t)
	before := dump(t, path)
	r = run(t, url, "topo", "import", "--dry-run", topoFile)
	if r.code != 0 || !strings.Contains(r.stdout, "+ tor hl-node-01") {
		t.Fatalf("dry run beside the demo topology: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if after := dump(t, path); after != before {
		t.Errorf("dry run changed the store:\n%s", changedLines(before, after))
	}

	// On a fresh store: dry run, import, nodes, and nothing left to do.
	path = filepath.Join(t.TempDir(), "netipam.db")
	url = "sqlite://" + path
	mustRun(t, url, "init")
	if r = run(t, url, "topo", "import", "--dry-run", topoFile); r.code != 0 {
		t.Fatalf("dry run on an empty store: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	mustRun(t, url, "topo", "import", topoFile)
	mustRun(t, url, "node", "import", nodesFile)
	if out := mustRun(t, url, "topo", "import", "--dry-run", topoFile); !strings.Contains(out, "no changes") {
		t.Errorf("re-import would change: %s", out)
	}
	nodes := listNodes(t, url)
	if nodes["node-01"].TOR != "hl-node-01" || nodes["node-02"].TOR != "hl-node-02" ||
		nodes["node-02"].Labels["netipam.io/migrated-from"] != "host-local" {
		t.Fatalf("nodes: %+v", nodes)
	}

	// The real host-local, with node-01's config, then the takeover.
	hl := filepath.Join(cniPluginDir(t, "host-local"), "host-local")
	hlConf := pluginConf(t, conf1, 0) // what a runtime gives the bridge plugin
	migrated := map[string]bool{}
	for i := 1; i <= 3; i++ {
		r := runPlugin(t, hl, cniCall{command: "ADD", container: fmt.Sprintf("old-%d", i), conf: hlConf})
		if r.code != 0 {
			t.Fatalf("host-local ADD: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		migrated[fmt.Sprintf("10.96.1.%d", 9+i)] = true
	}
	r = run(t, url, "migrate", "host-local", "--data-dir", filepath.Join(dataDir, "k8s-pod-network"),
		"--network", "k8s-pod-network", "--node", "node-01")
	if r.code != 0 || !strings.Contains(r.stdout, "6 imported, 0 already imported, 0 skipped") {
		t.Fatalf("migrate: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	netipam := netConfNamed("k8s-pod-network", "1.0.0", url, `"node": "node-01"`)
	lo, hi := netip.MustParseAddr("10.96.1.10"), netip.MustParseAddr("10.96.1.200")
	for i := range 5 {
		var res struct{ IPs []struct{ Address string } }
		if err := json.Unmarshal([]byte(cniOK(t, cniCall{command: "ADD", container: fmt.Sprintf("new-%d", i), conf: netipam})), &res); err != nil {
			t.Fatal(err)
		}
		for _, ip := range res.IPs {
			a := netip.MustParsePrefix(ip.Address).Addr()
			if a.Is4() && (a.Less(lo) || hi.Less(a) || migrated[a.String()]) {
				t.Errorf("ADD new-%d got %s: outside host-local's range or migrated", i, a)
			}
		}
	}

	// Moving node-01 to a real TOR: refused while it holds addresses,
	// done once its containers are gone.
	mustRun(t, url, "topo", "import", repoPath("testdata/topology.yaml"))
	if r = run(t, url, "node", "register", "--id", "node-01", "--tor", "tor-1"); r.code != 4 {
		t.Fatalf("move of a node holding addresses: exit %d, want 4\n%s", r.code, r.stderr)
	}
	for i := 1; i <= 3; i++ {
		cniOK(t, cniCall{command: "DEL", container: fmt.Sprintf("old-%d", i), conf: netipam})
	}
	for i := range 5 {
		cniOK(t, cniCall{command: "DEL", container: fmt.Sprintf("new-%d", i), conf: netipam})
	}
	mustRun(t, url, "node", "register", "--id", "node-01", "--tor", "tor-1")
	var res struct{ IPs []struct{ Address string } }
	if err := json.Unmarshal([]byte(cniOK(t, cniCall{command: "ADD", container: "moved", conf: netipam})), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.IPs) == 0 || !strings.HasPrefix(res.IPs[0].Address, "10.244.") {
		t.Errorf("after the move node-01 got %+v, want an address of tor-1", res.IPs)
	}
}

// pluginConf gives the config a runtime passes to the i-th plugin of a
// conflist: the plugin's own keys with the list's name and cniVersion.
func pluginConf(t *testing.T, conflist string, i int) string {
	t.Helper()
	var l struct {
		CNIVersion string           `json:"cniVersion"`
		Name       string           `json:"name"`
		Plugins    []map[string]any `json:"plugins"`
	}
	if err := json.Unmarshal([]byte(conflist), &l); err != nil {
		t.Fatal(err)
	}
	p := l.Plugins[i]
	p["cniVersion"], p["name"] = l.CNIVersion, l.Name
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestMigrateHostLocalConfigBadInput refuses each bad config or argument
// with a clear error naming the file, exit 2, and writes nothing.
func TestMigrateHostLocalConfigBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := writeFile(t, dir, "good.conf", node02Conf)
	conf := func(name, ipam string) string {
		return writeFile(t, dir, name, `{"cniVersion": "1.0.0", "name": "net", "type": "bridge", "ipam": `+ipam+`}`)
	}
	taken := filepath.Join(dir, "taken")
	if err := os.MkdirAll(taken, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, taken, "nodes.yaml", "keep me")
	cases := []struct {
		name  string
		args  []string
		wants []string
	}{
		{"no node", []string{good}, []string{"write NODE=CONFIG"}},
		{"missing file", []string{"n1=/nonexistent/x.conf"}, []string{"no such file"}},
		{"malformed json", []string{"n1=" + writeFile(t, dir, "bad.conf", "{\n\"ipam\": [")}, []string{"bad.conf:2: not valid JSON"}},
		{"not host-local", []string{"n1=" + conf("dhcp.conf", `{"type": "dhcp"}`)}, []string{`ipam.type: is "dhcp", not host-local`}},
		{"host bits", []string{"n1=" + conf("hb.conf", `{"type": "host-local", "ranges": [[{"subnet": "10.9.0.1/24"}]]}`)},
			[]string{"hb.conf: ipam.ranges[0][0].subnet: 10.9.0.1/24 has host bits set"}},
		{"range start outside", []string{"n1=" + conf("rs.conf", `{"type": "host-local", "ranges": [[{"subnet": "10.9.0.0/24", "rangeStart": "10.9.1.5"}]]}`)},
			[]string{"rs.conf: ipam.ranges[0][0].rangeStart: \"10.9.1.5\" is not an address inside 10.9.0.0/24"}},
		{"two ipv4 sets", []string{"n1=" + conf("two.conf", `{"type": "host-local", "ranges": [[{"subnet": "10.9.0.0/24"}], [{"subnet": "10.9.1.0/24"}]]}`)},
			[]string{"two.conf: ipam.ranges[1]: a second IPv4 range set"}},
		{"ipv6 too large", []string{"n1=" + conf("v6.conf", `{"type": "host-local", "ranges": [[{"subnet": "fd00::/48"}]]}`)},
			[]string{"v6.conf: ipam.ranges[0][0].subnet: IPv6 subnet fd00::/48"}},
		{"overlapping nodes", []string{"n1=" + good, "n2=" + conf("same.conf", `{"type": "host-local", "subnet": "10.96.2.128/25"}`)},
			[]string{"node n2's range 10.96.2.128/25 overlaps node n1's range 10.96.2.0/24"}},
		{"node twice", []string{"n1=" + good, "n1=" + conf("other.conf", `{"type": "host-local", "subnet": "10.9.0.0/24"}`)},
			[]string{"node n1 is given twice"}},
		{"bad node id", []string{"n\x1b1=" + good}, []string{`node "n\x1b1": not a valid node id`}},
		{"long tor prefix", []string{"n1=" + good, "--tor-prefix", strings.Repeat("t", 62)}, []string{"give a shorter --tor-prefix"}},
		{"bad purpose", []string{"n1=" + good, "--purpose", "Pods"}, []string{`--purpose "Pods": not a purpose`}},
		{"output exists", []string{"n1=" + good, "--out-dir", taken}, []string{"nodes.yaml exists"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			args := append([]string{"migrate", "host-local-config", "--out-dir", out}, c.args...)
			r := run(t, "sqlite:///nonexistent/never.db", args...)
			if r.code != 2 {
				t.Errorf("exit %d, want 2\n%s%s", r.code, r.stdout, r.stderr)
			}
			for _, w := range c.wants {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
			if strings.ContainsRune(r.stderr, 0x1b) {
				t.Errorf("stderr echoes ESC: %q", r.stderr)
			}
			if _, err := os.Stat(filepath.Join(out, "topology.yaml")); err == nil {
				t.Error("wrote topology.yaml")
			}
		})
	}
	if b, _ := os.ReadFile(filepath.Join(taken, "nodes.yaml")); string(b) != "keep me" {
		t.Errorf("overwrote an existing file without --force: %q", b)
	}
	if _, err := os.Stat(filepath.Join(taken, "topology.yaml")); err == nil {
		t.Error("wrote topology.yaml beside an existing nodes.yaml")
	}
}
