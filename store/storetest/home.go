package storetest

import (
	"fmt"
	"net/netip"
	"sync"
	"testing"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

// homeFixture: one TOR with two IPv4 default subnets, 10.40.16.0/24 and
// second (in 10.40.17.0/24), and one IPv6, nodes h1..h4 on it.
func homeFixture(t *testing.T, st *store.Store, second string) {
	t.Helper()
	sub := func(cidr string) topo.Subnet {
		p := mustPrefix(cidr)
		return topo.Subnet{CIDR: p, Purpose: "default", Gateway: topo.DefaultGateway(p)}
	}
	tp := &topo.Topology{Zones: []topo.Zone{{ID: "z1", CIDRs: []netip.Prefix{mustPrefix("10.40.0.0/16"), mustPrefix("fd00:40::/48")},
		Pods: []topo.Pod{{ID: "p1", CIDRs: []netip.Prefix{mustPrefix("10.40.0.0/18"), mustPrefix("fd00:40::/56")},
			TORs: []topo.TOR{{ID: "rack", Subnets: []topo.Subnet{sub("10.40.16.0/24"), sub(second), sub("fd00:40:0:1::/64")}}}}}}}}
	if err := st.ApplyTopology(ctx, tp, false, "home"); err != nil {
		t.Fatalf("apply: %v", err)
	}
	var nodes []topo.Node
	for i := 1; i <= 4; i++ {
		nodes = append(nodes, topo.Node{ID: fmt.Sprintf("h%d", i), TOR: "rack"})
	}
	if err := st.UpsertNodes(ctx, nodes); err != nil {
		t.Fatalf("register nodes: %v", err)
	}
}

// subnetsOf gives the IPv4 subnets a node's container addresses of a network came from.
func subnetsOf(t *testing.T, st *store.Store, node, network string) map[netip.Prefix]int {
	t.Helper()
	got, err := st.Allocations(ctx, topo.AllocationFilter{Node: &node, Network: &network})
	if err != nil {
		t.Fatal(err)
	}
	out := map[netip.Prefix]int{}
	for _, a := range got {
		if a.Address.Is4() {
			out[a.Subnet]++
		}
	}
	return out
}

// testNodeKeepsItsSubnet: a node's containers of one network share a
// subnet while it has room (a bridge holds one gateway), even when another
// subnet of the TOR is less used; the next subnet only when it is full.
func testNodeKeepsItsSubnet(t *testing.T, st *store.Store) {
	homeFixture(t, st, "10.40.17.0/29") // small, to fill
	add := func(al *alloc.Allocator, node, network, container string) topo.Allocation {
		t.Helper()
		out, err := al.Allocate(ctx, alloc.Request{Node: node, Network: network, Container: container, IfName: "eth0", Family: topo.IPv4})
		if err != nil {
			t.Fatalf("allocate %s on %s: %v", container, node, err)
		}
		return out[0]
	}
	one := func() *alloc.Allocator { return alloc.NewOneShotAllocator(st) }
	first := add(one(), "h1", "bridge", "c1")
	if first.Subnet != mustPrefix("10.40.16.0/24") {
		t.Fatalf("first container in %s, want the least used by order, 10.40.16.0/24", first.Subnet)
	}
	// h2 takes the /29, now the least used; h1 stays in its own.
	if a := add(one(), "h2", "bridge", "d1"); a.Subnet != mustPrefix("10.40.17.0/29") {
		t.Fatalf("h2's first container in %s, want the least used 10.40.17.0/29", a.Subnet)
	}
	for i := 2; i <= 6; i++ {
		if a := add(one(), "h1", "bridge", fmt.Sprintf("c%d", i)); a.Subnet != first.Subnet {
			t.Fatalf("h1's container c%d in %s, want h1's subnet %s", i, a.Subnet, first.Subnet)
		}
	}
	// Another network of the same node chooses for itself: h2's ptp
	// container takes the least used, h1's /24 (6 of 253 against 1 of 5).
	if a := add(one(), "h2", "ptp", "p1"); a.Subnet != first.Subnet {
		t.Fatalf("h2's first ptp container in %s, want the least used %s", a.Subnet, first.Subnet)
	}
	// h2 fills the /29 (5 usable: .0, .7 are not hosts, .1 is the gateway),
	// then moves on.
	var last topo.Allocation
	for i := 2; i <= 6; i++ {
		last = add(one(), "h2", "bridge", fmt.Sprintf("d%d", i))
	}
	if last.Subnet != first.Subnet {
		t.Fatalf("h2's container after its subnet filled in %s, want %s", last.Subnet, first.Subnet)
	}
	if got := subnetsOf(t, st, "h2", "bridge"); got[mustPrefix("10.40.17.0/29")] != 5 {
		t.Fatalf("h2's bridge addresses by subnet %v, want 5 in the /29 before it filled", got)
	}
}

// testNodeKeepsItsSubnetConcurrently: a node's first containers, started
// at once (separate one-shot allocators, as separate CNI processes, and a
// long-lived one, as a server), while another node allocates on the same
// TOR, all end in one subnet (neither subnet fills: 12 addresses in all).
func testNodeKeepsItsSubnetConcurrently(t *testing.T, st *store.Store) {
	homeFixture(t, st, "10.40.17.0/26")
	// One request of several addresses (alloc --count) takes them from one
	// subnet: both are empty, so least-used alone would alternate.
	many, err := alloc.NewOneShotAllocator(st).Allocate(ctx, alloc.Request{Node: "h4", Count: 5, Family: topo.IPv4})
	if err != nil {
		t.Fatalf("allocate 5 for h4: %v", err)
	}
	for _, a := range many {
		if a.Subnet != many[0].Subnet {
			t.Fatalf("one request of 5 addresses spans %s and %s", many[0].Subnet, a.Subnet)
		}
	}
	server := alloc.NewAllocator(st)
	run := func(node string, n int, al func() *alloc.Allocator) {
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := al().Allocate(ctx, alloc.Request{Node: node, Network: "bridge",
					Container: fmt.Sprintf("%s-c%d", node, i), IfName: "eth0", Family: topo.IPv4})
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("allocate on %s: %v", node, err)
			}
		}
	}
	var wg sync.WaitGroup
	for _, c := range []struct {
		node string
		al   func() *alloc.Allocator
	}{
		{"h1", func() *alloc.Allocator { return alloc.NewOneShotAllocator(st) }},
		{"h2", func() *alloc.Allocator { return alloc.NewOneShotAllocator(st) }},
		{"h3", func() *alloc.Allocator { return server }},
	} {
		wg.Add(1)
		go func() { defer wg.Done(); run(c.node, 4, c.al) }()
	}
	wg.Wait()
	for _, node := range []string{"h1", "h2", "h3"} {
		if got := subnetsOf(t, st, node, "bridge"); len(got) != 1 {
			t.Errorf("%s's bridge containers span %v, want one subnet", node, got)
		}
	}
}
