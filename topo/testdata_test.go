package topo

import (
	"os"
	"testing"
)

// TestDemoFiles keeps testdata/topology.yaml and testdata/nodes.yaml valid
// and consistent with each other.
func TestDemoFiles(t *testing.T) {
	data, err := os.ReadFile("../testdata/topology.yaml")
	if err != nil {
		t.Fatal(err)
	}
	top, err := ParseTopology("topology.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(top.Zones); n != 2 {
		t.Errorf("zones = %d, want 2", n)
	}
	if n := len(top.TORs()); n != 5 {
		t.Errorf("tors = %d, want 5", n)
	}
	dual := 0
	for _, r := range top.TORs() {
		fams := map[Family]bool{}
		for _, s := range r.TOR.Subnets {
			if s.Purpose == PurposeDefault {
				fams[FamilyOfPrefix(s.CIDR)] = true
			}
		}
		if !fams[IPv4] {
			t.Errorf("tor %s has no IPv4 default subnet", r.TOR.ID)
		}
		if fams[IPv6] {
			dual++
		}
	}
	if dual < 2 {
		t.Errorf("dual-stack tors = %d, want at least 2", dual)
	}
	data, err = os.ReadFile("../testdata/nodes.yaml")
	if err != nil {
		t.Fatal(err)
	}
	known := func(id string) (bool, error) { _, ok := top.FindTOR(id); return ok, nil }
	nodes, err := ParseNodesOn("nodes.yaml", data, known)
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes) != 8 {
		t.Errorf("nodes = %d, want 8", len(nodes))
	}
}
