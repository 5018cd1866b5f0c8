package storetest

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

func testAllocationConstraints(t *testing.T, st *store.Store) {
	seed(t, st)
	ok := allocation("10.1.0.5", "10.1.0.0/24", "default", "n1", "t1")
	if err := st.InsertAllocations(ctx, []topo.Allocation{ok}); err != nil {
		t.Fatalf("a valid allocation: %v", err)
	}
	bad := []struct {
		name string
		a    topo.Allocation
	}{
		{"same address again", allocation("10.1.0.5", "10.1.0.0/24", "default", "n1", "t1")},
		{"network address", allocation("10.1.0.0", "10.1.0.0/24", "default", "n1", "t1")},
		{"broadcast address", allocation("10.1.0.255", "10.1.0.0/24", "default", "n1", "t1")},
		{"gateway", allocation("10.1.0.1", "10.1.0.0/24", "default", "n1", "t1")},
		{"excluded", allocation("10.1.0.11", "10.1.0.0/24", "default", "n1", "t1")},
		{"outside its subnet", allocation("10.1.2.7", "10.1.0.0/24", "default", "n1", "t1")},
		{"another TOR's subnet", allocation("10.1.2.7", "10.1.2.0/24", "default", "n1", "t1")},
		{"wrong purpose", allocation("10.1.0.7", "10.1.0.0/24", "storage", "n1", "t1")},
		{"IPv6 subnet-router anycast", allocation("fd00:1:0:1::", "fd00:1:0:1::/64", "default", "n1", "t1")},
		{"unknown node", allocation("10.1.0.8", "10.1.0.0/24", "default", "n9", "t1")},
	}
	for _, b := range bad {
		wantConflict(t, b.name, st.InsertAllocations(ctx, []topo.Allocation{b.a}))
	}
	// A batch is all or nothing: a good row beside a bad one is not kept.
	batch := []topo.Allocation{allocation("10.1.0.20", "10.1.0.0/24", "default", "n1", "t1"), bad[0].a}
	wantConflict(t, "a batch with one duplicate", st.InsertAllocations(ctx, batch))
	all, err := st.Allocations(ctx, topo.AllocationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 || all[0].Address != ok.Address {
		t.Fatalf("allocations after refused inserts: %v, want only %s", all, ok.Address)
	}
	// The owner key: one address per container, interface, purpose, family.
	c1 := allocation("10.1.0.30", "10.1.0.0/24", "default", "n1", "t1")
	c1.Container, c1.IfName = "c1", "eth0"
	if err := st.InsertAllocations(ctx, []topo.Allocation{c1}); err != nil {
		t.Fatal(err)
	}
	c1b := c1
	c1b.Address = mustAddr("10.1.0.31")
	wantConflict(t, "second address for one owner", st.InsertAllocations(ctx, []topo.Allocation{c1b}))
}

func testAllocatorIdempotentOwner(t *testing.T, st *store.Store) {
	seed(t, st)
	req := alloc.Request{Node: "n1", Container: "c1", IfName: "eth0"}
	first, err := alloc.NewAllocator(st).Allocate(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 2 {
		t.Fatalf("dual-stack default: got %d addresses, want 2 (IPv4 and IPv6)", len(first))
	}
	again, err := alloc.NewAllocator(st).Allocate(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if !sameAddresses(first, again) {
		t.Fatalf("the same owner asked again got %v, first %v", again, first)
	}
	for _, a := range first {
		if a.Address == a.Gateway || !a.Subnet.Contains(a.Address) {
			t.Fatalf("bad address %v", a)
		}
	}
}

func testAllocatorExhaustion(t *testing.T, st *store.Store) {
	seed(t, st)
	// 10.1.1.0/30 (storage) has one usable address after its gateway.
	al := alloc.NewAllocator(st)
	got, err := al.Allocate(ctx, alloc.Request{Node: "n1", Purposes: []string{"storage"}})
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Address != mustAddr("10.1.1.2") {
		t.Fatalf("storage: got %s, want 10.1.1.2", got[0].Address)
	}
	_, err = al.Allocate(ctx, alloc.Request{Node: "n1", Purposes: []string{"storage"}})
	if !errors.Is(err, topo.ErrExhausted) {
		t.Fatalf("a full TOR: got %v, want exhausted", err)
	}
	// All or nothing: default+storage fails whole, default is not kept.
	_, err = alloc.NewAllocator(st).Allocate(ctx, alloc.Request{Node: "n1", Purposes: []string{"default", "storage"}, Container: "c9", IfName: "eth0"})
	if !errors.Is(err, topo.ErrExhausted) {
		t.Fatalf("got %v, want exhausted", err)
	}
	c9 := "c9"
	if left, _ := st.Allocations(ctx, topo.AllocationFilter{Container: &c9}); len(left) != 0 {
		t.Fatalf("a failed request kept %v", left)
	}
}

func testReleaseToLedger(t *testing.T, st *store.Store) {
	seed(t, st)
	al := alloc.NewAllocator(st)
	got, err := al.Allocate(ctx, alloc.Request{Node: "n2", Count: 3})
	if err != nil {
		t.Fatal(err)
	}
	ip := got[1].Address
	freed, err := st.Release(ctx, topo.AllocationFilter{Addresses: []netip.Addr{ip}}, "release")
	if err != nil {
		t.Fatal(err)
	}
	if len(freed) != 1 || freed[0].Address != ip || freed[0].Node != "n2" {
		t.Fatalf("released %v, want %s of n2", freed, ip)
	}
	again, err := st.Release(ctx, topo.AllocationFilter{Addresses: []netip.Addr{ip}}, "release")
	if err != nil || len(again) != 0 {
		t.Fatalf("releasing twice: %v %v, want nothing and no error", again, err)
	}
	evs, err := st.Events(ctx, store.EventFilter{Address: ip.String()})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 || evs[0].Kind != "allocate" || evs[1].Kind != "release" || evs[1].Node != "n2" {
		t.Fatalf("ledger for %s: %+v, want allocate then release", ip, evs)
	}
	// Round-robin: the freed address is not handed out again at once.
	next, err := alloc.NewAllocator(st).Allocate(ctx, alloc.Request{Node: "n2"})
	if err != nil {
		t.Fatal(err)
	}
	if next[0].Address == ip {
		t.Fatalf("the just-freed %s was handed out again at once", ip)
	}
}

func sameAddresses(a, b []topo.Allocation) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[netip.Addr]bool{}
	for _, x := range a {
		seen[x.Address] = true
	}
	for _, x := range b {
		if !seen[x.Address] {
			return false
		}
	}
	return true
}
