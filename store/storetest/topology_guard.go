package storetest

import (
	"encoding/hex"
	"net/netip"
	"strings"
	"testing"

	"go4.org/netipx"

	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

// wantMessage checks err is a conflict whose text holds want.
func wantMessage(t *testing.T, what string, err error, want string) {
	t.Helper()
	wantConflict(t, what, err)
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("%s: got %q, want it to name %q", what, err, want)
	}
}

// A refused plan names every object, and leaves the store unchanged.
func testPlanNamesObjects(t *testing.T, st *store.Store) {
	seed(t, st)
	if err := st.InsertAllocations(ctx, []topo.Allocation{allocation("10.1.2.5", "10.1.2.0/24", "default", "n2", "t2")}); err != nil {
		t.Fatal(err)
	}
	only := fixture()
	only.Zones[0].Pods[0].TORs = only.Zones[0].Pods[0].TORs[:1] // drop t2 and its subnet
	_, err := st.PlanTopology(ctx, topo.FileOf(only), true)
	wantMessage(t, "prune a used subnet and a TOR with nodes", err,
		"subnet 10.1.2.0/24 holds 1 allocation (e.g. 10.1.2.5, n2): release them first or keep the subnet")
	wantMessage(t, "prune a TOR with nodes", err, "tor t2 has 1 node(s) (e.g. n2)")
	excl := fixture()
	excl.Zones[0].Pods[0].TORs[1].Subnets[0].Exclude = []netip.Prefix{mustPrefix("10.1.2.4/30")}
	wantMessage(t, "exclude a held address", st.ApplyTopology(ctx, excl, false, "exclude"),
		"the new exclude 10.1.2.4/30 covers 1 allocation held (e.g. 10.1.2.5, n2)")
	wantMessage(t, "move a node holding addresses", st.UpsertNodes(ctx, []topo.Node{{ID: "n2", TOR: "t1"}}),
		"node n2 holds 1 allocation on tor t2 (e.g. 10.1.2.5): it cannot move to tor t1")
	if got, err := st.LoadTopology(ctx); err != nil || len(topo.Diff(got, fixture())) != 0 {
		t.Fatalf("refused changes changed the store: %v %v", topo.Diff(got, fixture()), err)
	}
	gw := fixture()
	gw.Zones[0].Pods[0].TORs[1].Subnets[0].Gateway = mustAddr("10.1.2.254")
	if err := st.ApplyTopology(ctx, gw, false, "gateway"); err != nil {
		t.Fatalf("moving a used subnet's gateway to a free address: %v", err)
	}
}

// A plan holds exactly what differs; applying an empty plan writes nothing.
func testPlanIsTheDiff(t *testing.T, st *store.Store) {
	seed(t, st)
	p, err := st.PlanTopology(ctx, topo.FileOf(fixture()), true)
	if err != nil || len(p.Changes) != 0 {
		t.Fatalf("plan of the stored topology: %v %v", p, err)
	}
	before, err := st.Events(ctx, store.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.ApplyPlan(ctx, p, "nothing"); err != nil {
		t.Fatal(err)
	}
	renamed := fixture()
	renamed.Zones[0].Pods[0].TORs[1].Name = "tor two"
	if p, err = st.PlanTopology(ctx, topo.FileOf(renamed), false); err != nil || len(p.Changes) != 1 {
		t.Fatalf("plan of a rename: %v %v", p.Changes, err)
	}
	if err := st.ApplyPlan(ctx, p, "rename"); err != nil {
		t.Fatal(err)
	}
	after, err := st.Events(ctx, store.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before)+1 {
		t.Fatalf("%d events before, %d after one rename and one empty plan: want one more", len(before), len(after))
	}
	if got, err := st.LoadTopology(ctx); err != nil || len(topo.Diff(got, renamed)) != 0 {
		t.Fatalf("after the rename: %v %v", topo.Diff(got, renamed), err)
	}
}

// The schema refuses what the Go checks name, whoever writes.
func testTopologyBackstops(t *testing.T, st *store.Store) {
	seed(t, st)
	if err := st.InsertAllocations(ctx, []topo.Allocation{allocation("10.1.2.5", "10.1.2.0/24", "default", "n2", "t2")}); err != nil {
		t.Fatal(err)
	}
	exec := func(sql string, args ...any) error {
		_, err := st.Backend().Exec(ctx, store.Q(sql, args...))
		return err
	}
	wantConflict(t, "reserve a held address", exec(`INSERT INTO reservations (subnet, cidr, first_key, last_key)
		VALUES ('10.1.2.0/24', '10.1.2.5/32', '00000000000000000000ffff0a010205', '00000000000000000000ffff0a010205')`))
	wantConflict(t, "gateway on a held address", exec(`UPDATE subnets SET gateway = '10.1.2.5' WHERE cidr = '10.1.2.0/24'`))
	wantConflict(t, "declared TOR named virtual-", exec(`INSERT INTO tors (id, pod_id, virtual, created_at) VALUES ('virtual-x', 'p1', 0, 'now')`))
	if err := st.UpsertNodes(ctx, []topo.Node{{ID: "nv"}}); err != nil {
		t.Fatal(err)
	}
	wantConflict(t, "virtual TOR made declared", exec(`UPDATE tors SET virtual = 0, pod_id = 'p1' WHERE id = 'virtual-nv'`))
	insert := func(cidr string) error {
		p := mustPrefix(cidr)
		return exec(`INSERT INTO subnets (cidr, family, purpose, tor_id, first_key, last_key, created_at)
			VALUES (?, 4, 'default', 'virtual-nv', ?, ?, 'now')`, cidr, key(p.Addr()), key(netipx.PrefixLastIP(p)))
	}
	for _, cidr := range []string{"10.1.0.128/25", "10.0.0.0/8", "10.1.1.0/31", "10.1.2.255/32"} {
		wantConflict(t, "overlap "+cidr, insert(cidr))
	}
	if err := insert("10.1.3.0/24"); err != nil {
		t.Fatalf("a free range beside stored subnets: %v", err)
	}
}

// key is the schema's fixed-width key of an address.
func key(a netip.Addr) string {
	b := a.As16()
	return hex.EncodeToString(b[:])
}
