package api

import (
	"encoding/json"
	"testing"

	"github.com/netipam/netipam/topo"
)

// TestFilterNotOwnersSurvivesTheWire: an empty list of valid attachments
// (GC: release every container allocation of the network) is not an
// absent one (no such condition) once it has crossed the API, so that GC
// through a server selects what it selects on the store.
func TestFilterNotOwnersSurvivesTheWire(t *testing.T) {
	node, network := "node-01", "net"
	for _, tc := range []struct {
		name string
		in   []topo.Attachment
	}{
		{"absent", nil},
		{"empty", []topo.Attachment{}},
		{"one", []topo.Attachment{{Network: network, Container: "c1", IfName: "eth0"}}},
	} {
		f := topo.AllocationFilter{Node: &node, Network: &network, NotOwners: tc.in}
		b, err := json.Marshal(ReleaseBody{Filter: FilterOf(f), Kind: "gc"})
		if err != nil {
			t.Fatal(err)
		}
		var back ReleaseBody
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		got := back.Filter.Domain().NotOwners
		if (got == nil) != (tc.in == nil) || len(got) != len(tc.in) {
			t.Errorf("%s: not_owners %v came back as %#v (JSON %s)", tc.name, tc.in, got, b)
		}
	}
}
