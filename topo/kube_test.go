package topo

import (
	"os"
	"strings"
	"testing"
	"unicode"
)

// FuzzParseKubeNodes checks that no input makes the kubectl list parser
// panic, and that no message echoes a control character.
func FuzzParseKubeNodes(f *testing.F) {
	seed, err := os.ReadFile("../testdata/kube/nodes.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`{"apiVersion": "v1", "kind": "List", "items": [{"kind": "Node", "metadata": {"name": "a\u0007", "labels": {"t": "x\u202e"}}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		items, err := ParseKubeNodes("nodes.json", data)
		if err == nil {
			_, err = KubeToNodes("nodes.json", items, "topology.netipam.io/tor", nil)
		}
		if err != nil && strings.ContainsFunc(err.Error(), func(r rune) bool { return r != '\n' && unicode.IsControl(r) }) {
			t.Fatalf("message echoes a control character: %q", err.Error())
		}
	})
}

func TestKubeToNodes(t *testing.T) {
	data, err := os.ReadFile("../testdata/kube/nodes.json")
	if err != nil {
		t.Fatal(err)
	}
	items, err := ParseKubeNodes("nodes.json", data)
	if err != nil {
		t.Fatal(err)
	}
	imp, err := KubeToNodes("nodes.json", items, "topology.netipam.io/tor", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(imp.Nodes) != 4 || strings.Join(imp.Unlabelled, ",") != "edge-01" {
		t.Fatalf("nodes %v, unlabelled %v", imp.Nodes, imp.Unlabelled)
	}
	n := imp.Nodes[0]
	if n.ID != "node-01" || n.TOR != "tor-1" || n.Labels["rack"] != "R01" || len(n.Labels) != 8 {
		t.Errorf("node-01: %+v", n)
	}
}
