package storetest

import (
	"reflect"
	"testing"

	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

func testTopologyRoundTrip(t *testing.T, st *store.Store) {
	seed(t, st)
	got, err := st.LoadTopology(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := fixture()
	// The store gives subnets in family, then address order.
	if d := topo.Diff(got, want); len(d) != 0 {
		t.Fatalf("stored topology differs from the applied one: %v", d)
	}
	if !reflect.DeepEqual(got.Zones[0].CIDRs, want.Zones[0].CIDRs) {
		t.Fatalf("zone prefixes: got %v, want %v", got.Zones[0].CIDRs, want.Zones[0].CIDRs)
	}
}

func testReapplyChangesNothing(t *testing.T, st *store.Store) {
	seed(t, st)
	before, err := st.Events(ctx, store.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(before) == 0 {
		t.Fatal("no import event recorded")
	}
	nodesBefore, err := st.Nodes(ctx, store.NodeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.ApplyTopology(ctx, fixture(), false, "again"); err != nil {
		t.Fatalf("re-applying the same topology: %v", err)
	}
	cur, err := st.LoadTopology(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d := topo.Diff(cur, fixture()); len(d) != 0 {
		t.Fatalf("re-applying the same topology changed %v", d)
	}
	nodesAfter, err := st.Nodes(ctx, store.NodeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(nodesBefore, nodesAfter) {
		t.Fatalf("re-applying the topology changed the nodes: %v -> %v", nodesBefore, nodesAfter)
	}
}

func testSubnetOverlapRefused(t *testing.T, st *store.Store) {
	seed(t, st)
	p := mustPrefix("10.1.0.128/25")
	err := st.AddSubnet(ctx, "t2", topo.Subnet{CIDR: p, Purpose: "storage", Gateway: topo.DefaultGateway(p)}, "cli")
	wantConflict(t, "add an overlapping subnet", err)
	rows, err := st.Subnets(ctx, topo.SubnetFilter{CIDR: &p})
	if err != nil || len(rows) != 0 {
		t.Fatalf("overlapping subnet stored anyway: %v %v", rows, err)
	}
	q := mustPrefix("10.1.3.0/24")
	if err := st.AddSubnet(ctx, "t2", topo.Subnet{CIDR: q, Purpose: "storage", Gateway: topo.DefaultGateway(q)}, "cli"); err != nil {
		t.Fatalf("add a disjoint subnet: %v", err)
	}
}

func testSubnetOutsidePodRefused(t *testing.T, st *store.Store) {
	seed(t, st)
	p := mustPrefix("10.9.0.0/24")
	err := st.AddSubnet(ctx, "t1", topo.Subnet{CIDR: p, Purpose: "default", Gateway: topo.DefaultGateway(p)}, "cli")
	wantConflict(t, "add a subnet outside the pod", err)
}

func testPruneKeepsUsedSubnet(t *testing.T, st *store.Store) {
	seed(t, st)
	if err := st.InsertAllocations(ctx, []topo.Allocation{allocation("10.1.2.5", "10.1.2.0/24", "default", "n2", "t2")}); err != nil {
		t.Fatal(err)
	}
	smaller := fixture()
	smaller.Zones[0].Pods[0].TORs[1].Subnets = nil
	err := st.ApplyTopology(ctx, smaller, true, "prune")
	wantConflict(t, "prune a subnet holding allocations", err)
	got, err := st.LoadTopology(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d := topo.Diff(got, fixture()); len(d) != 0 {
		t.Fatalf("a refused prune changed the store: %v", d)
	}
}

func testNodeCannotMoveWhileHolding(t *testing.T, st *store.Store) {
	seed(t, st)
	if err := st.InsertAllocations(ctx, []topo.Allocation{allocation("10.1.0.5", "10.1.0.0/24", "default", "n1", "t1")}); err != nil {
		t.Fatal(err)
	}
	wantConflict(t, "move a node holding addresses", st.UpsertNodes(ctx, []topo.Node{{ID: "n1", TOR: "t2"}}))
	if tor, err := st.NodeTOR(ctx, "n1"); err != nil || tor != "t1" {
		t.Fatalf("node moved anyway: %q %v", tor, err)
	}
}

func testEventsAppendOnly(t *testing.T, st *store.Store) {
	seed(t, st)
	_, err := st.Backend().Exec(ctx, store.Q(`UPDATE events SET actor = 'someone else'`))
	wantConflict(t, "update the ledger", err)
	_, err = st.Backend().Exec(ctx, store.Q(`DELETE FROM events`))
	wantConflict(t, "delete from the ledger", err)
}

func testMigrateTwice(t *testing.T, st *store.Store) {
	seed(t, st)
	again, err := store.New(ctx, st.Backend(), st.URL())
	if err != nil {
		t.Fatalf("migrating an up-to-date store: %v", err)
	}
	if _, err := again.NodeTOR(ctx, "n1"); err != nil {
		t.Fatalf("data lost by a second migration run: %v", err)
	}
}

// A subnet that holds allocations keeps its TOR, purpose and gateway, and an
// allocation is never updated in place.
func testUsedSubnetIsFixed(t *testing.T, st *store.Store) {
	seed(t, st)
	if err := st.InsertAllocations(ctx, []topo.Allocation{allocation("10.1.2.5", "10.1.2.0/24", "default", "n2", "t2")}); err != nil {
		t.Fatal(err)
	}
	moved := fixture()
	tors := moved.Zones[0].Pods[0].TORs
	tors[0].Subnets = append(tors[0].Subnets, tors[1].Subnets[0]) // 10.1.2.0/24 to t1
	tors[1].Subnets = nil
	wantConflict(t, "move a used subnet to another TOR", st.ApplyTopology(ctx, moved, false, "move"))
	repurposed := fixture()
	repurposed.Zones[0].Pods[0].TORs[1].Subnets[0].Purpose = "storage"
	wantConflict(t, "change a used subnet's purpose", st.ApplyTopology(ctx, repurposed, false, "repurpose"))
	got, err := st.LoadTopology(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d := topo.Diff(got, fixture()); len(d) != 0 {
		t.Fatalf("refused changes changed the store: %v", d)
	}
	_, err = st.Backend().Exec(ctx, store.Q(`UPDATE allocations SET node_id = 'n1' WHERE address = '10.1.2.5'`))
	wantConflict(t, "update an allocation", err)
}
