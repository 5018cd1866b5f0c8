package storetest

import (
	"errors"
	"net/netip"
	"testing"

	"go4.org/netipx"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

// levelsFixture is fixture with a second pod (p2, no TOR) and pools: p1
// and p2 and z1 hold subnets of their own.
func levelsFixture() *topo.Topology {
	f := fixture()
	sub := func(cidr, purpose string) topo.Subnet {
		p := mustPrefix(cidr)
		return topo.Subnet{CIDR: p, Purpose: purpose, Gateway: topo.DefaultGateway(p)}
	}
	z := &f.Zones[0]
	z.Subnets = []topo.Subnet{sub("10.1.200.0/30", "default")}
	z.Pods[0].Subnets = []topo.Subnet{sub("10.1.15.0/30", "default"), sub("10.1.14.0/24", "storage")}
	z.Pods = append(z.Pods, topo.Pod{ID: "p2", CIDRs: []netip.Prefix{mustPrefix("10.1.16.0/20")},
		Subnets: []topo.Subnet{sub("10.1.31.0/30", "default")}})
	return f
}

// Pools above the TOR: stored and read back as declared; a node's
// subnets come nearest level first as the strategies allow; the schema
// accepts an address of the node's TOR's, pod's or zone's pool, and
// refuses another pod's, a node on a pool owner, a zone subnet outside
// its zone and a forged pool owner.
func testPoolLevels(t *testing.T, st *store.Store) {
	f := levelsFixture()
	if err := st.ApplyTopology(ctx, f, false, "levels"); err != nil {
		t.Fatalf("apply: %v", err)
	}
	if err := st.UpsertNodes(ctx, []topo.Node{{ID: "n1", TOR: "t1"}}); err != nil {
		t.Fatal(err)
	}
	got, err := st.LoadTopology(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d := topo.Diff(got, f); len(d) != 0 {
		t.Fatalf("stored pools differ from the applied topology: %v", d)
	}
	subnets, err := st.NodeSubnets(ctx, "t1")
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, s := range subnets {
		order = append(order, s.Level.String()+" "+s.CIDR.String())
	}
	want := []string{"tor 10.1.0.0/24", "tor 10.1.1.0/30", "tor fd00:1:0:1::/64", "pod 10.1.14.0/24", "pod 10.1.15.0/30", "zone 10.1.200.0/30"}
	if len(order) != len(want) {
		t.Fatalf("node subnets of t1: %v, want %v", order, want)
	}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("node subnets of t1: %v, want %v", order, want)
		}
	}
	// Pin storage to the zone: t1's and p1's storage subnets drop out.
	f.Strategies = map[topo.Purpose]topo.Level{"storage": topo.LevelZone}
	if err := st.ApplyTopology(ctx, f, false, "pin"); err != nil {
		t.Fatal(err)
	}
	if subnets, err = st.NodeSubnets(ctx, "t1"); err != nil {
		t.Fatal(err)
	}
	for _, s := range subnets {
		if s.Purpose == "storage" {
			t.Fatalf("storage pinned to the zone still lists %s (%s)", s.CIDR, s.Level)
		}
	}

	// The allocator takes the TOR's subnet until it is full, then the
	// pod's, then the zone's; the schema accepts each.
	a := alloc.NewOneShotAllocator(st)
	full, err := a.Allocate(ctx, alloc.Request{Node: "n1", Family: topo.IPv4, Count: 251})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range full {
		if x.Subnet != mustPrefix("10.1.0.0/24") {
			t.Fatalf("with the TOR's subnet not full, %s came from %s", x.Address, x.Subnet)
		}
	}
	for _, want := range []string{"10.1.15.2", "10.1.200.2"} {
		got, err := a.Allocate(ctx, alloc.Request{Node: "n1", Family: topo.IPv4})
		if err != nil || len(got) != 1 || got[0].Address != mustAddr(want) {
			t.Fatalf("next allocation: %v %v, want %s", got, err, want)
		}
	}
	if got, err := a.Allocate(ctx, alloc.Request{Node: "n1", Family: topo.IPv4}); !errors.Is(err, topo.ErrExhausted) {
		t.Fatalf("TOR, pod and zone full: %v %v, want exhausted", got, err)
	}
	wantConflict(t, "another pod's pool", st.InsertAllocations(ctx, []topo.Allocation{
		allocation("10.1.31.2", "10.1.31.0/30", "default", "n1", "t1")}))
	wantConflict(t, "a pool's gateway", st.InsertAllocations(ctx, []topo.Allocation{
		allocation("10.1.15.1", "10.1.15.0/30", "default", "n1", "t1")}))
	wantConflict(t, "node on a pool owner", st.UpsertNodes(ctx, []topo.Node{{ID: "n9", TOR: store.PoolOwner(topo.LevelPod, "p1")}}))
	exec := func(sql string, args ...any) error {
		_, err := st.Backend().Exec(ctx, store.Q(sql, args...))
		return err
	}
	wantConflict(t, "forged pool owner", exec(`INSERT INTO tors (id, pod_id, virtual, level, created_at) VALUES ('pod:x', 'p1', 1, 'pod', 'now')`))
	insert := func(cidr, owner string) error {
		p := mustPrefix(cidr)
		return exec(`INSERT INTO subnets (cidr, family, purpose, tor_id, first_key, last_key, created_at)
			VALUES (?, 4, 'default', ?, ?, ?, 'now')`, p.String(), owner, key(p.Addr()), key(netipx.PrefixLastIP(p)))
	}
	wantConflict(t, "zone subnet outside its zone", insert("10.2.0.0/24", "zone:z1"))
	wantConflict(t, "pod subnet outside its pod", insert("10.1.20.0/24", "pod:p1"))
	wantConflict(t, "pod subnet over a TOR's", insert("10.1.2.0/25", "pod:p1"))
	wantConflict(t, "TOR moved while its nodes hold pool addresses", exec(`UPDATE tors SET pod_id = 'p2' WHERE id = 't1'`))
}
