package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// demoWith returns testdata/topology.yaml with each (old, new) pair
// replaced once; it fails the test when an edit does not apply.
func demoWith(t *testing.T, pairs ...string) string {
	t.Helper()
	b, err := os.ReadFile(repoPath("testdata/topology.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(s, pairs[i]) {
			t.Fatalf("edit %q does not apply to testdata/topology.yaml", pairs[i])
		}
		s = strings.Replace(s, pairs[i], pairs[i+1], 1)
	}
	return s
}

// inputFile writes content to a new file and returns its path.
func inputFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "input.yaml")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// rawControl reports a control character other than a newline: output
// must never echo one raw.
func rawControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return (r < 0x20 && r != '\n') || r == 0x7f || (r >= 0x80 && r < 0xa0) })
}

// guardedStore is the demo store with three management addresses held by
// node-01 in 10.244.5.0/26 (plus 10.244.0.50), a node on a virtual TOR
// that owns 10.99.0.0/24, and tor-2's nodes.
func guardedStore(t *testing.T) (url, path string) {
	t.Helper()
	url, path = seeded(t)
	mustRun(t, url, "alloc", "--node", "node-01", "--ip", "10.244.0.50")
	for _, ip := range []string{"10.244.5.7", "10.244.5.8", "10.244.5.9"} {
		mustRun(t, url, "alloc", "--node", "node-01", "--purpose", "management", "--ip", ip)
	}
	mustRun(t, url, "node", "register", "--id", "node-v")
	mustRun(t, url, "subnet", "add", "--tor", "virtual-node-v", "--cidr", "10.99.0.0/24")
	return url, path
}

// TestTopologyGuards: every change that would break a topology invariant,
// whatever the path, is refused with every offending object named, the
// right exit status, one error per line without raw control characters,
// and the store unchanged.
func TestTopologyGuards(t *testing.T) {
	t.Parallel()
	url, path := guardedStore(t)
	tree := func(zoneCIDR, podCIDR, torID, subnet, extra string) string {
		return "topology:\n  zones:\n    - id: zone-x\n      cidr: \"" + zoneCIDR + "\"\n      pods:\n        - id: pod-x\n" +
			"          cidr: \"" + podCIDR + "\"\n          tors:\n            - id: " + torID + "\n" + extra +
			"              subnets:\n                - cidr: \"" + subnet + "\"\n                  purpose: default\n"
	}
	good := func(extra string) string {
		return tree("10.250.0.0/16", "10.250.0.0/20", "tor-x", "10.250.0.0/24", extra)
	}
	big := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(big, []byte(good("")+"#"+strings.Repeat("x", 4096)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	escaped := filepath.Join(t.TempDir(), "bad\x1b[31m.yaml")
	if err := os.WriteFile(escaped, []byte(strings.Replace(good(""), "10.250.0.0/24", "10.250.0.1/24", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		code int
		want []string // each in stderr
	}{
		// 1. invariants on every path
		{"plain import moves a tor into another pod", []string{"topo", "import", inputFile(t, tree("10.250.0.0/16", "10.250.0.0/20", "tor-1", "10.250.0.0/24", ""))},
			2, []string{"stored subnet 10.244.0.0/22 (tor tor-1)", "stored subnet 10.244.4.0/24 (tor tor-1)", "stored subnet 10.244.5.0/26 (tor tor-1)", "not inside pod pod-x"}},
		{"shrinking a pod orphans stored subnets", []string{"topo", "import", inputFile(t,
			"topology:\n  zones:\n    - id: zone-a\n      cidrs: [\"10.244.0.0/16\", \"fd00:10:244::/48\"]\n      pods:\n        - id: pod-1\n          cidrs: [\"10.244.0.0/21\", \"fd00:10:244::/56\"]\n")},
			2, []string{"stored subnet 10.244.8.0/22 (tor tor-2)", "stored subnet 10.244.12.0/24 (tor tor-2)", "not inside pod pod-1 (10.244.0.0/21)"}},
		{"shrinking a zone orphans a stored pod", []string{"topo", "import", inputFile(t,
			"topology:\n  zones:\n    - id: zone-a\n      cidrs: [\"10.244.0.0/20\", \"fd00:10:244::/48\"]\n")},
			2, []string{"stored pod pod-2 (zone zone-a)", "10.244.16.0/20 is not inside zone zone-a"}},
		{"pruning import shrinks a pod", []string{"topo", "import", "--prune", inputFile(t, demoWith(t, `cidrs: ["10.244.0.0/20", "fd00:10:244::/56"]`, `cidrs: ["10.244.0.0/21", "fd00:10:244::/56"]`))},
			2, []string{"10.244.8.0/22 is not inside pod pod-1", "10.244.12.0/24 is not inside pod pod-1"}},
		{"import moves a used subnet to another tor", []string{"topo", "import", inputFile(t, demoWith(t,
			"                - cidr: \"10.244.5.0/26\"\n                  purpose: \"management\"\n", "",
			"                - cidr: \"10.244.12.0/24\"\n", "                - cidr: \"10.244.5.0/26\"\n                  purpose: \"management\"\n                - cidr: \"10.244.12.0/24\"\n"))},
			4, []string{"subnet 10.244.5.0/26 holds 3 allocations (e.g. 10.244.5.", "node-01", "cannot move from tor tor-1 to tor tor-2"}},
		{"import repurposes a used subnet", []string{"topo", "import", inputFile(t, demoWith(t, `purpose: "management"`, `purpose: "oob"`))},
			4, []string{"subnet 10.244.5.0/26 holds 3 allocations", "purpose cannot change from management to oob"}},
		{"import overlaps a virtual tor's subnet", []string{"topo", "import", inputFile(t, tree("10.99.0.0/16", "10.99.0.0/20", "tor-x", "10.99.0.0/25", ""))},
			4, []string{"subnet 10.99.0.0/25 of tor tor-x overlaps stored subnet 10.99.0.0/24 of virtual tor virtual-node-v"}},
		{"node register moves a node holding addresses", []string{"node", "register", "--id", "node-01", "--tor", "tor-2"},
			4, []string{"node node-01 holds 5 allocations on tor tor-1 (e.g. 10.244.0.50)", "cannot move to tor tor-2"}},
		{"node import moves nodes holding addresses", []string{"node", "import", inputFile(t, "nodes:\n  - id: node-01\n    tor_id: tor-3\n  - id: node-02\n    tor_id: tor-1\n")},
			4, []string{"node node-01 holds 5 allocations on tor tor-1 (e.g. 10.244.0.50)", "cannot move to tor tor-3"}},
		{"subnet add outside its pod names the pod", []string{"subnet", "add", "--tor", "tor-3", "--cidr", "10.244.32.0/24"},
			4, []string{"10.244.32.0/24 is not inside pod pod-2 (10.244.16.0/20)"}},

		// 2. what can never be right
		{"subnet 0.0.0.0/0", []string{"topo", "import", inputFile(t, tree("0.0.0.0/0", "0.0.0.0/1", "tor-x", "0.0.0.0/24", ""))},
			2, []string{"0.0.0.0/0 covers \"this network\" addresses (0.0.0.0/8)", "0.0.0.0/24 covers"}},
		{"loopback subnet by subnet add", []string{"subnet", "add", "--tor", "tor-1", "--cidr", "127.0.0.0/24"}, 2, []string{"loopback"}},
		{"multicast pod", []string{"topo", "import", inputFile(t, tree("224.0.0.0/8", "224.0.0.0/20", "tor-x", "224.0.0.0/24", ""))}, 2, []string{"multicast"}},
		{"class E zone", []string{"topo", "import", inputFile(t, tree("240.0.0.0/16", "240.0.0.0/20", "tor-x", "240.0.0.0/24", ""))}, 2, []string{"240.0.0.0/4"}},
		{"link-local ipv6 subnet", []string{"subnet", "add", "--tor", "tor-1", "--cidr", "fe80::/64"}, 2, []string{"link-local"}},
		{"ipv6 ::/64 holds the unspecified address", []string{"subnet", "add", "--tor", "tor-1", "--cidr", "::/64"}, 2, []string{"unspecified"}},
		{"exclude covers the whole subnet", []string{"topo", "import", inputFile(t, good("")+"                  exclude: [\"10.250.0.0/24\"]\n")},
			2, []string{"cover every usable address of 10.250.0.0/24"}},
		{"excludes and gateway leave nothing", []string{"subnet", "add", "--tor", "tor-1", "--cidr", "10.244.6.0/30", "--exclude", "10.244.6.2"},
			2, []string{"cover every usable address of 10.244.6.0/30"}},
		{"new exclude covers an allocated address", []string{"topo", "import", inputFile(t, demoWith(t, `"10.244.0.8/29"`, `"10.244.0.8/29", "10.244.0.48/28"`))},
			4, []string{"subnet 10.244.0.0/22: the new exclude 10.244.0.48/28 covers 1 allocation held (e.g. 10.244.0.50, node-01)"}},
		{"new exclude covers a management address", []string{"topo", "import", inputFile(t, demoWith(t,
			"                  purpose: \"management\"\n", "                  purpose: \"management\"\n                  exclude: [\"10.244.5.8\"]\n"))},
			4, []string{"the new exclude 10.244.5.8/32 covers 1 allocation held (e.g. 10.244.5.8, node-01)"}},
		{"gateway moved onto an allocated address", []string{"topo", "import", inputFile(t, demoWith(t, `gateway: "10.244.0.1"`, `gateway: "10.244.0.50"`))},
			4, []string{"the new gateway 10.244.0.50 covers 1 allocation held (e.g. 10.244.0.50, node-01)"}},
		{"second yaml document", []string{"topo", "import", inputFile(t, good("")+"---\n"+good(""))}, 2, []string{"input.yaml:13", "second YAML document"}},
		{"second yaml document in a node file", []string{"node", "import", inputFile(t, "node:\n  id: node-99\n  tor_id: tor-1\n---\nnode:\n  id: node-98\n  tor_id: tor-1\n")},
			2, []string{"second YAML document"}},
		{"tor id of a virtual tor", []string{"topo", "import", inputFile(t, tree("10.250.0.0/16", "10.250.0.0/20", "virtual-node-01", "10.250.0.0/24", ""))},
			2, []string{"reserves for the virtual TORs"}},
		{"pod id with the virtual prefix", []string{"topo", "import", inputFile(t, strings.Replace(good(""), "id: pod-x", "id: virtual-pod", 1))},
			2, []string{"pod id \"virtual-pod\""}},
		{"node file on another node's virtual tor", []string{"node", "import", inputFile(t, "nodes:\n  - id: node-99\n    tor_id: virtual-node-v\n")},
			2, []string{"virtual TOR of another node"}},
		{"tor name over 253 characters", []string{"topo", "import", inputFile(t, good("              name: \""+strings.Repeat("n", 254)+"\"\n"))},
			2, []string{"name is 254 bytes long: use at most 253"}},
		{"tor location with an escape sequence", []string{"topo", "import", inputFile(t, good("              location: \"rack \\e[31mred\"\n"))},
			2, []string{`location "rack \x1b[31mred" holds a control character`}},
		{"zone name with a bidi override", []string{"topo", "import", inputFile(t, strings.Replace(good(""), "id: zone-x", "id: zone-x\n      name: \"a\u202eb\"", 1))},
			2, []string{"control character"}},
		{"node file label with a control character", []string{"node", "import", inputFile(t, "nodes:\n  - id: node-99\n    tor_id: tor-1\n    labels:\n      rack: \"R\\x07\"\n")},
			2, []string{`invalid label value "R\a"`}},
		{"node file label key with an escape", []string{"node", "import", inputFile(t, "nodes:\n  - id: node-99\n    tor_id: tor-1\n    labels:\n      \"k\\e\": v\n")},
			2, []string{`labels."k\x1b"`}},
		{"node register name with a control character", []string{"node", "register", "--id", "node-99", "--tor", "tor-1", "--name", "host\x1b]0;pwned\x07"},
			2, []string{`name "host\x1b]0;pwned\a" holds a control character`}},
		{"node register long name", []string{"node", "register", "--id", "node-99", "--tor", "tor-1", "--name", strings.Repeat("h", 300)},
			2, []string{"at most 253"}},
		{"node register id with a control character", []string{"node", "register", "--id", "node\x1b99", "--tor", "tor-1"},
			2, []string{`"node\x1b99"`}},
		{"subnet add tor with a control character", []string{"subnet", "add", "--tor", "tor\x1b[2J", "--cidr", "10.244.6.0/24"},
			2, []string{`--tor "tor\x1b[2J": not a valid id`}},
		{"subnet add purpose with a control character", []string{"subnet", "add", "--tor", "tor-1", "--cidr", "10.244.6.0/24", "--purpose", "x\ty"},
			2, []string{`invalid purpose "x\ty"`}},

		// 4. errors name the object
		{"prune a subnet holding allocations", []string{"topo", "import", "--prune", inputFile(t, demoWith(t,
			"                - cidr: \"10.244.5.0/26\"\n                  purpose: \"management\"\n", ""))},
			4, []string{"subnet 10.244.5.0/26 holds 3 allocations (e.g. 10.244.5.", ", node-01): release them first or keep the subnet"}},
		{"prune a tor with nodes", []string{"topo", "import", "--prune", inputFile(t, demoWith(t,
			"            - id: tor-2\n              name: \"TOR-R02-01\"\n              location: \"Rack 02\"\n              subnets:\n                - cidr: \"10.244.8.0/22\"\n                  purpose: \"default\"\n                - cidr: \"fd00:10:244:2::/64\"\n                  purpose: \"default\"\n                - cidr: \"10.244.12.0/24\"\n                  purpose: \"storage\"\n", ""))},
			4, []string{"tor tor-2 has 2 node(s) (e.g. node-03): register them on another TOR first, or keep the TOR"}},
		{"prune a whole zone with nodes and allocations", []string{"topo", "import", "--prune", inputFile(t, good(""))},
			4, []string{"subnet 10.244.0.0/22 holds 1 allocation (e.g. 10.244.0.50, node-01)", "subnet 10.244.5.0/26 holds 3 allocations", "tor tor-1 has 2 node(s)", "tor tor-5 has 2 node(s)"}},
		{"node file unknown tor is not found", []string{"node", "import", inputFile(t, "nodes:\n  - id: node-99\n    tor_id: ghost\n")}, 3, []string{"unknown TOR \"ghost\""}},
		{"node register unknown tor is not found", []string{"node", "register", "--id", "node-99", "--tor", "ghost"}, 3, []string{"--tor \"ghost\": unknown TOR"}},

		// 5. bounded input
		{"topology from /dev/zero", []string{"topo", "import", "/dev/zero"}, 2, []string{"over the limit of 64MiB", "--max-file-size"}},
		{"nodes from /dev/zero", []string{"node", "import", "/dev/zero"}, 2, []string{"over the limit of 64MiB"}},
		{"file over a lowered limit", []string{"topo", "import", "--max-file-size", "4KiB", big}, 2, []string{"is 4364 bytes, over the limit of 4KiB"}},
		{"bad size", []string{"topo", "import", "--max-file-size", "lots", big}, 2, []string{"not a size"}},
		{"directory as a file", []string{"topo", "import", t.TempDir()}, 2, []string{"is a directory"}},
		{"missing file named with an escape", []string{"topo", "import", "/nonexistent/x\x1b[2J.yaml"}, 2, []string{`"/nonexistent/x\x1b[2J.yaml": no such file`}},
		{"bad file named with an escape", []string{"topo", "import", escaped}, 2, []string{`bad\x1b[31m.yaml":11: zones[0].pods[0].tors[0].subnets[0].cidr`}},
	}
	before := dump(t, path)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := run(t, url, c.args...)
			if r.code != c.code {
				t.Errorf("exit %d, want %d; stderr: %s", r.code, c.code, r.stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr does not mention %q:\n%s", w, r.stderr)
				}
			}
			for _, line := range strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n") {
				if !strings.HasPrefix(line, "netipam: ") {
					t.Errorf("stderr line %q: want each line to start \"netipam: \"", line)
				}
			}
			if rawControl(r.stderr) || rawControl(r.stdout) {
				t.Errorf("output echoes a raw control character: %q", r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout on error: %q", r.stdout)
			}
			if after := dump(t, path); after != before {
				t.Errorf("the store changed")
			}
		})
	}
}

// TestDryRunFailsAsTheRealRun: --dry-run makes every check of the real run
// and fails with the same exit status and the same messages.
func TestDryRunFailsAsTheRealRun(t *testing.T) {
	t.Parallel()
	url, path := guardedStore(t)
	cases := map[string][]string{
		"prune a used subnet": {"--prune", inputFile(t, demoWith(t, "                - cidr: \"10.244.5.0/26\"\n                  purpose: \"management\"\n", ""))},
		"move a tor":          {inputFile(t, strings.Replace(strings.Replace(goodTopology, "tor-x", "tor-2", 1), "10.250.0.0/24", "10.250.1.0/24", 1))},
		"exclude over a held": {inputFile(t, demoWith(t, `"10.244.0.8/29"`, `"10.244.0.8/29", "10.244.0.50"`))},
		"unusable prefix":     {inputFile(t, strings.Replace(goodTopology, "10.250.0.0/16", "0.0.0.0/0", 1))},
	}
	before := dump(t, path)
	for name, extra := range cases {
		t.Run(name, func(t *testing.T) {
			args := append([]string{"topo", "import"}, extra...)
			dry := run(t, url, append(args, "--dry-run")...)
			real := run(t, url, args...)
			if dry.code == 0 || dry.code != real.code || dry.stderr != real.stderr {
				t.Errorf("dry run: exit %d\n%s\nreal run: exit %d\n%s", dry.code, dry.stderr, real.code, real.stderr)
			}
			if dump(t, path) != before {
				t.Error("the store changed")
			}
		})
	}
}

// TestExportReimportsAfterEveryChange: whatever netipam accepted, `topo
// export` of the result imports again unchanged, and into an empty store.
func TestExportReimportsAfterEveryChange(t *testing.T) {
	t.Parallel()
	url, _ := guardedStore(t)
	steps := [][]string{
		{"topo", "import", inputFile(t, goodTopology)},
		{"subnet", "add", "--tor", "tor-x", "--cidr", "10.250.1.0/24", "--purpose", "storage"},
		{"topo", "import", inputFile(t, strings.Replace(goodTopology, "10.250.0.0/20", "10.250.0.0/19", 1))},
		{"topo", "import", inputFile(t, demoWith(t, `gateway: "10.244.0.1"`, `gateway: "10.244.0.3"`))},
		{"topo", "import", "--prune", inputFile(t, demoWith(t, "                - cidr: \"10.244.25.0/24\"\n                  purpose: \"storage\"\n", ""))},
	}
	for i, step := range steps {
		mustRun(t, url, step...)
		exported := inputFile(t, mustRun(t, url, "topo", "export"))
		if out := mustRun(t, url, "topo", "import", exported); !strings.Contains(out, "no changes") {
			t.Fatalf("step %d (%v): importing the export changed something:\n%s", i, step, out)
		}
		fresh := "sqlite://" + filepath.Join(t.TempDir(), "fresh.db")
		mustRun(t, fresh, "topo", "import", exported)
	}
}
