package storetest

import (
	"path/filepath"
	"testing"

	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

// TestSeedBulk seeds a small store and reads it back through the store's
// API: the shape asked for, allocations spread evenly, every row accepted
// by the schema's triggers.
func TestSeedBulk(t *testing.T) {
	st, err := store.Open(ctx, "sqlite://"+filepath.Join(t.TempDir(), "seed.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	st.Now = clock()
	b := SeedBulk(t, st, Bulk{Zones: 2, PodsPerZone: 3, TORsPerPod: 3, SubnetsPerTOR: 2, SubnetBits: 24,
		NodesPerTOR: 2, Allocations: 1000, Events: 2500})
	if got, want := b.SubnetCount(), 36; got != want {
		t.Fatalf("SubnetCount() = %d, want %d", got, want)
	}
	rows, err := st.Subnets(ctx, topo.SubnetFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != b.SubnetCount() {
		t.Fatalf("%d subnets stored, want %d", len(rows), b.SubnetCount())
	}
	var total int64
	for _, r := range rows {
		total += r.Used
		if r.Used < 27 || r.Used > 28 || r.Pod == "" || r.Zone == "" {
			t.Errorf("subnet %s (tor %s, pod %q, zone %q): %d used, want 27 or 28 (1000 over 36)",
				r.CIDR, r.TOR, r.Pod, r.Zone, r.Used)
		}
	}
	if total != 1000 {
		t.Errorf("%d allocations, want 1000", total)
	}
	nodes, err := st.Nodes(ctx, store.NodeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes) != b.TORs()*b.NodesPerTOR {
		t.Errorf("%d nodes, want %d", len(nodes), b.TORs()*b.NodesPerTOR)
	}
	evs, err := st.Events(ctx, store.EventFilter{Kind: "allocate"})
	if err != nil {
		t.Fatal(err)
	}
	rel, err := st.Events(ctx, store.EventFilter{Kind: "release"})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs)+len(rel) != 2500 || len(rel) != 750 {
		t.Errorf("%d allocate and %d release events, want 1750 and 750", len(evs), len(rel))
	}
	// The history of one seeded address: an earlier holder, then the
	// seeded one, in order.
	h, err := st.Events(ctx, store.EventFilter{Address: "10.0.0.2"})
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 3 || h[0].Kind != "allocate" || h[1].Kind != "release" || h[2].Kind != "allocate" ||
		h[2].Container != "seed-00000000" {
		t.Errorf("history of 10.0.0.2: %+v", h)
	}
}
