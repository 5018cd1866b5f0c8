package storetest

import (
	"context"
	"errors"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

// Opener gives a fresh, empty store for one test.
type Opener func(t *testing.T) *store.Store

// Run runs the contract against the stores open gives.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, *store.Store)
	}{
		{"TopologyRoundTrip", testTopologyRoundTrip},
		{"ReapplyChangesNothing", testReapplyChangesNothing},
		{"SubnetOverlapRefused", testSubnetOverlapRefused},
		{"SubnetOutsidePodRefused", testSubnetOutsidePodRefused},
		{"AllocationConstraints", testAllocationConstraints},
		{"AllocatorIdempotentOwner", testAllocatorIdempotentOwner},
		{"AllocatorExhaustion", testAllocatorExhaustion},
		{"ReleaseToLedger", testReleaseToLedger},
		{"PruneKeepsUsedSubnet", testPruneKeepsUsedSubnet},
		{"NodeCannotMoveWhileHolding", testNodeCannotMoveWhileHolding},
		{"EventsAppendOnly", testEventsAppendOnly},
		{"UsedSubnetIsFixed", testUsedSubnetIsFixed},
		{"MigrateTwice", testMigrateTwice},
		{"PlanNamesObjects", testPlanNamesObjects},
		{"PlanIsTheDiff", testPlanIsTheDiff},
		{"TopologyBackstops", testTopologyBackstops},
		{"PoolLevels", testPoolLevels},
		{"NodeKeepsItsSubnet", testNodeKeepsItsSubnet},
		{"NodeKeepsItsSubnetConcurrently", testNodeKeepsItsSubnetConcurrently},
		{"MonitorTORs", testMonitorTORs},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := open(t)
			st.Now = clock()
			tt.fn(t, st)
		})
	}
}

// clock gives strictly increasing times, so tests do not depend on the
// machine's clock. It is safe for concurrent use: the concurrent contract
// tests stamp from several goroutines at once.
func clock() func() time.Time {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var n atomic.Int64
	return func() time.Time { return t0.Add(time.Duration(n.Add(1)) * time.Millisecond) }
}

var ctx = context.Background()

func mustPrefix(s string) netip.Prefix { return netip.MustParsePrefix(s) }
func mustAddr(s string) netip.Addr     { return netip.MustParseAddr(s) }

// fixture is a small dual-stack topology: one zone, one pod, two TORs.
func fixture() *topo.Topology {
	sub := func(cidr, purpose string) topo.Subnet {
		p := mustPrefix(cidr)
		return topo.Subnet{CIDR: p, Purpose: purpose, Gateway: topo.DefaultGateway(p)}
	}
	s1 := sub("10.1.0.0/24", "default")
	s1.Exclude = []netip.Prefix{mustPrefix("10.1.0.10/31")}
	return &topo.Topology{Zones: []topo.Zone{{
		ID: "z1", Name: "zone one", CIDRs: []netip.Prefix{mustPrefix("10.1.0.0/16"), mustPrefix("fd00:1::/48")},
		Pods: []topo.Pod{{
			ID: "p1", CIDRs: []netip.Prefix{mustPrefix("10.1.0.0/20"), mustPrefix("fd00:1::/56")},
			TORs: []topo.TOR{
				{ID: "t1", Name: "tor one", Location: "rack 1", Subnets: []topo.Subnet{
					s1, sub("fd00:1:0:1::/64", "default"), sub("10.1.1.0/30", "storage"),
				}},
				{ID: "t2", Subnets: []topo.Subnet{sub("10.1.2.0/24", "default")}},
			},
		}},
	}}}
}

func seed(t *testing.T, st *store.Store) {
	t.Helper()
	if err := st.ApplyTopology(ctx, fixture(), false, "fixture"); err != nil {
		t.Fatalf("apply fixture: %v", err)
	}
	nodes := []topo.Node{{ID: "n1", TOR: "t1", Labels: map[string]string{"rack": "1"}}, {ID: "n2", TOR: "t2"}}
	if err := st.UpsertNodes(ctx, nodes); err != nil {
		t.Fatalf("register nodes: %v", err)
	}
}

func wantConflict(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("%s: got %v, want a conflict", what, err)
	}
}

func allocation(addr, subnet, purpose, node, tor string) topo.Allocation {
	return topo.Allocation{Address: mustAddr(addr), Subnet: mustPrefix(subnet), Purpose: purpose, Node: node, TOR: tor}
}
