package topo

import (
	"strings"
	"testing"
)

func parseFile(t *testing.T, yaml string) *File {
	t.Helper()
	f, err := ParseTopologyFile("t.yaml", []byte(yaml))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return f
}

// TestMergeKeepsWhatTheFileOmits: without prune, the stored pods, TORs and
// subnets the file leaves out stay where they are; the file's own version
// of an entity wins; the file itself is not modified.
func TestMergeKeepsWhatTheFileOmits(t *testing.T) {
	stored := mustParse(t, twoPods)
	onlyPod1 := edit(edit(twoPods, "        - id: pod-2\n          cidr: 10.244.16.0/20\n          tors:\n            - id: tor-2\n              subnets:\n                - cidr: 10.244.16.0/22\n                  purpose: default\n", ""),
		"purpose: default", "purpose: storage")
	f := parseFile(t, onlyPod1)
	m, err := f.Merge(stored, false)
	if err != nil {
		t.Fatal(err)
	}
	if d := Diff(stored, m); len(d) != 1 || d[0].String() != `~ subnet 10.244.0.0/22: purpose "default" -> "storage"` {
		t.Fatalf("merged differs from the store by %v, want only the purpose", d)
	}
	if len(f.Zones[0].Pods) != 1 {
		t.Fatal("Merge modified the file's topology")
	}
	if m, err := f.Merge(stored, true); err != nil || len(m.Zones[0].Pods) != 1 {
		t.Fatalf("with prune the result is the file: %v %v", m, err)
	}
	same, err := parseFile(t, twoPods).Merge(stored, false)
	if err != nil || len(Diff(stored, same)) != 0 {
		t.Fatalf("merging the stored topology over itself changed %v (%v)", Diff(stored, same), err)
	}
}

// TestMergeNamesStoredObjects: a file that moves a TOR into another pod,
// or shrinks a pod, is refused for every stored object it would leave
// outside, each named as stored.
func TestMergeNamesStoredObjects(t *testing.T) {
	stored := mustParse(t, edit(twoPods, "                  purpose: default\n        - id: pod-2",
		"                  purpose: default\n                - cidr: 10.244.4.0/24\n                  purpose: storage\n        - id: pod-2"))
	moved := parseFile(t, "topology:\n  zones:\n    - id: zone-a\n      cidr: 10.244.0.0/16\n      pods:\n        - id: pod-2\n          cidr: 10.244.16.0/20\n          tors:\n            - id: tor-1\n")
	_, err := moved.Merge(stored, false)
	for _, want := range []string{
		"stored subnet 10.244.0.0/22 (tor tor-1): 10.244.0.0/22 is not inside pod pod-2 (10.244.16.0/20)",
		"stored subnet 10.244.4.0/24 (tor tor-1): 10.244.4.0/24 is not inside pod pod-2",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("moving tor-1: got %v, want %q", err, want)
		}
	}
	shrunk := parseFile(t, "topology:\n  zones:\n    - id: zone-a\n      cidr: 10.244.0.0/20\n")
	_, err = shrunk.Merge(stored, false)
	if err == nil || !strings.Contains(err.Error(), "stored pod pod-2 (zone zone-a): 10.244.16.0/20 is not inside zone zone-a (10.244.0.0/20)") {
		t.Errorf("shrinking zone-a: got %v", err)
	}
	overlapping := parseFile(t, edit(twoPods, "cidr: 10.244.16.0/22", "cidr: 10.244.20.0/22"))
	stored2 := mustParse(t, edit(twoPods, "cidr: 10.244.16.0/22", "cidr: 10.244.20.0/23"))
	_, err = overlapping.Merge(stored2, false)
	if err == nil || !strings.Contains(err.Error(), "stored subnet 10.244.20.0/23 (tor tor-2)") || !strings.Contains(err.Error(), "10.244.20.0/22") {
		t.Errorf("a file subnet over a kept stored one: got %v", err)
	}
	if err != nil && strings.Contains(err.Error(), "t.yaml: stored") {
		t.Errorf("a stored object is named as if it were in the file: %v", err)
	}
}
