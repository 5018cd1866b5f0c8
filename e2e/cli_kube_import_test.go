package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// kubeNodes is the `kubectl get nodes -o json` of the tests.
func kubeNodes() string { return repoPath("testdata/kube/nodes.json") }

const torLabel = "topology.netipam.io/tor"

// kubeList writes a kubectl nodes list of the given items (JSON objects).
func kubeList(t *testing.T, items ...string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "nodes.json")
	doc := `{"apiVersion": "v1", "kind": "List", "items": [` + strings.Join(items, ",") + `]}`
	if err := os.WriteFile(p, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func kubeItem(name, tor string) string {
	labels := `"kubernetes.io/hostname": "` + name + `"`
	if tor != "" {
		labels += `, "` + torLabel + `": "` + tor + `"`
	}
	return `{"apiVersion": "v1", "kind": "Node", "metadata": {"name": "` + name + `", "labels": {` + labels + `}}}`
}

type listedNode struct {
	ID     string            `json:"id"`
	Name   string            `json:"name"`
	TOR    string            `json:"tor"`
	Labels map[string]string `json:"labels"`
}

func listNodes(t *testing.T, url string) map[string]listedNode {
	t.Helper()
	var rows []listedNode
	if err := json.Unmarshal([]byte(mustRun(t, url, "node", "list", "-o", "json")), &rows); err != nil {
		t.Fatal(err)
	}
	out := map[string]listedNode{}
	for _, r := range rows {
		out[r.ID] = r
	}
	return out
}

// TestKubeImport registers the nodes of a real kubectl list on the TORs
// their label names, keeps their other labels (dots and slashes in keys),
// lists the node without the label, and changes nothing the second time.
func TestKubeImport(t *testing.T) {
	t.Parallel()
	url, path := seeded(t)
	r := run(t, url, "node", "import", "--from-kubernetes", kubeNodes(), "--tor-label", torLabel)
	if r.code != 0 {
		t.Fatalf("import: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "node edge-01 has no label") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("stderr should name edge-01 alone:\n%s", r.stderr)
	}
	if !strings.Contains(r.stdout, "registered k8s-worker-9.dc1 on tor-4") || !strings.Contains(r.stdout, "1 registered, 3 updated") {
		t.Errorf("stdout:\n%s", r.stdout)
	}
	nodes := listNodes(t, url)
	if _, ok := nodes["edge-01"]; ok {
		t.Error("edge-01 has no TOR label but was registered")
	}
	w := nodes["k8s-worker-9.dc1"]
	if w.TOR != "tor-4" || w.Labels["kubernetes.io/hostname"] != "k8s-worker-9.dc1" || w.Labels["rack"] != "R12" {
		t.Errorf("k8s-worker-9.dc1: %+v", w)
	}
	if _, ok := w.Labels[torLabel]; ok {
		t.Errorf("the TOR label is kept among the labels: %v", w.Labels)
	}
	n1 := nodes["node-01"]
	if v, ok := n1.Labels["node-role.kubernetes.io/control-plane"]; !ok || v != "" || n1.Labels["role"] != "" {
		t.Errorf("node-01 labels are the list's: %v", n1.Labels)
	}
	if nodes["node-05"].TOR != "tor-3" {
		t.Error("a node missing from the list changed without --prune")
	}
	// node-01's subnet preferences (from nodes.yaml) are kept.
	if out := mustRun(t, url, "sql", "SELECT preferences FROM nodes WHERE id = 'node-01'"); !strings.Contains(out, "MinAvailable\":100") {
		t.Errorf("node-01 lost its preferences: %s", out)
	}
	before := dump(t, path)
	r = run(t, url, "node", "import", "--from-kubernetes", kubeNodes(), "--tor-label", torLabel)
	if r.code != 0 || !strings.Contains(r.stdout, "0 registered, 0 updated, 4 unchanged") {
		t.Fatalf("re-import: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if after := dump(t, path); after != before {
		t.Errorf("re-import changed the store:\n%s", changedLines(before, after))
	}
}

// TestKubeImportMoveHolder refuses to move a node holding addresses to
// another TOR, naming it and what it holds; nothing changes.
func TestKubeImportMoveHolder(t *testing.T) {
	t.Parallel()
	url, path := seeded(t)
	mustRun(t, url, "alloc", "--node", "node-01", "--ip", "10.244.0.50")
	before := dump(t, path)
	list := kubeList(t, kubeItem("node-01", "tor-2"), kubeItem("node-02", "tor-2"))
	r := run(t, url, "node", "import", "--from-kubernetes", list, "--tor-label", torLabel)
	if r.code != 4 || !strings.Contains(r.stderr, "node node-01 holds 2 allocations on tor tor-1 (e.g. 10.244.0.50): it cannot move to tor tor-2") {
		t.Fatalf("exit %d, want 4 naming node-01:\n%s", r.code, r.stderr)
	}
	if after := dump(t, path); after != before {
		t.Errorf("refused import changed the store:\n%s", changedLines(before, after))
	}
}

// TestKubeImportPrune removes the registered nodes missing from the list
// that hold nothing, and lists and keeps the ones that hold addresses.
func TestKubeImportPrune(t *testing.T) {
	t.Parallel()
	url, path := seeded(t)
	mustRun(t, url, "alloc", "--node", "node-05")
	mustRun(t, url, "alloc", "--node", "node-07", "--container", "c1", "--network", "net1")
	before := dump(t, path)
	r := run(t, url, "node", "import", "--from-kubernetes", kubeNodes(), "--tor-label", torLabel, "--prune", "--dry-run")
	if r.code != 0 || !strings.Contains(r.stdout, "would remove node-04") {
		t.Fatalf("dry run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if after := dump(t, path); after != before {
		t.Errorf("dry run changed the store:\n%s", changedLines(before, after))
	}
	r = run(t, url, "node", "import", "--from-kubernetes", kubeNodes(), "--tor-label", torLabel, "--prune", "-o", "json")
	if r.code != 0 {
		t.Fatalf("prune: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var rep struct{ Removed, Kept []string }
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if strings.Join(rep.Removed, ",") != "node-04,node-06,node-08" || strings.Join(rep.Kept, ",") != "node-05,node-07" {
		t.Errorf("removed %v, kept %v", rep.Removed, rep.Kept)
	}
	for _, n := range []string{"node-05", "node-07"} {
		if !strings.Contains(r.stderr, "node "+n+" is not in") {
			t.Errorf("stderr does not list %s:\n%s", n, r.stderr)
		}
	}
	nodes := listNodes(t, url)
	for _, n := range []string{"node-01", "node-05", "node-07", "k8s-worker-9.dc1"} {
		if _, ok := nodes[n]; !ok {
			t.Errorf("%s is gone", n)
		}
	}
	for _, n := range []string{"node-04", "node-06", "node-08"} {
		if _, ok := nodes[n]; ok {
			t.Errorf("%s was not pruned", n)
		}
	}
	if out := mustRun(t, url, "sql", "SELECT COUNT(*) AS n FROM events WHERE kind = 'node' AND detail = 'remove kubernetes'"); !strings.Contains(out, "\n3\n") {
		t.Errorf("want 3 remove events:\n%s", out)
	}
	before = dump(t, path)
	mustRun(t, url, "node", "import", "--from-kubernetes", kubeNodes(), "--tor-label", torLabel, "--prune")
	if after := dump(t, path); after != before {
		t.Errorf("second prune changed the store:\n%s", changedLines(before, after))
	}
}

// TestKubeImportBadInput refuses each bad list with one clear line, the
// right exit status, and the store unchanged.
func TestKubeImportBadInput(t *testing.T) {
	t.Parallel()
	url, path := seeded(t)
	file := func(content string) string {
		p := filepath.Join(t.TempDir(), "nodes.json")
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	long := strings.Repeat("n", 70)
	cases := []struct {
		name  string
		args  []string
		code  int
		wants []string
	}{
		{"malformed json", []string{file("{\"apiVersion\": \"v1\",\n \"items\": [}")}, 2, []string{"nodes.json:2: not valid JSON"}},
		{"wrong type", []string{file(`{"apiVersion": "v1", "kind": "List", "items": {}}`)}, 2, []string{"want a JSON"}},
		{"not a list", []string{file(`{"apiVersion": "v1", "kind": "Pod"}`)}, 2, []string{"kind: is \"Pod\", not List"}},
		{"oversized", []string{kubeNodes(), "--max-file-size", "1KiB"}, 2, []string{"over the limit of 1KiB"}},
		{"control character in name", []string{kubeList(t, kubeItem(`node-\u0007x`, "tor-1"))}, 2, []string{`"node-\ax"`, "items[0].metadata.name"}},
		{"control character in label", []string{file(`{"apiVersion": "v1", "kind": "List", "items": [{"kind": "Node",
			"metadata": {"name": "n1", "labels": {"` + torLabel + `": "tor-1", "a\u001b[31m": "x"}}}]}`)}, 2, []string{"invalid label key"}},
		{"name too long", []string{kubeList(t, kubeItem(long, "tor-1"))}, 2, []string{"at most 63 characters"}},
		{"duplicate node", []string{kubeList(t, kubeItem("n1", "tor-1"), kubeItem("n1", "tor-2"))}, 2, []string{"items[1].metadata.name: duplicate node n1"}},
		{"unknown tor", []string{kubeList(t, kubeItem("n1", "tor-1"), kubeItem("n2", "tor-99"))}, 3,
			[]string{"items[1].metadata.labels." + torLabel + ": node n2: unknown TOR \"tor-99\""}},
		{"no node has the label", []string{kubeNodes(), "--tor-label", "example.com/rack"}, 2, []string{"none of the 5 nodes"}},
		{"prune with an empty list", []string{kubeList(t), "--prune"}, 2, []string{"lists no node: refusing to prune"}},
		{"missing tor label flag", []string{kubeNodes(), "--tor-label", ""}, 2, []string{"--tor-label: give the node label"}},
		{"file and argument", []string{kubeNodes(), "extra.yaml"}, 2, []string{"not both (got \"extra.yaml\")"}},
	}
	before := dump(t, path)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"node", "import", "--tor-label", torLabel, "--from-kubernetes"}, c.args...)
			r := run(t, url, args...)
			if r.code != c.code {
				t.Errorf("exit %d, want %d\n%s", r.code, c.code, r.stderr)
			}
			for _, w := range c.wants {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
			if strings.ContainsRune(r.stderr, 0x1b) || strings.ContainsRune(r.stderr, 0x07) {
				t.Errorf("stderr echoes a control character: %q", r.stderr)
			}
			if after := dump(t, path); after != before {
				t.Errorf("changed the store:\n%s", changedLines(before, after))
			}
		})
	}
}

// changedLines gives the lines of a dump that differ from another's, marked
// - (only before) and + (only after).
func changedLines(before, after string) string {
	count := map[string]int{}
	for _, l := range strings.Split(before, "\n") {
		count[l]++
	}
	for _, l := range strings.Split(after, "\n") {
		count[l]--
	}
	var b strings.Builder
	for l, n := range count {
		switch {
		case n > 0:
			b.WriteString("- " + l + "\n")
		case n < 0:
			b.WriteString("+ " + l + "\n")
		}
	}
	return b.String()
}
