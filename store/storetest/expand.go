package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

// ExpandTopology: TOR t1 holds a /28 (13 addresses to hand out) of pod
// p1's /24; t2 holds the /28 after it, so t1's buddy is taken.
const ExpandTopology = `topology:
  zones:
    - id: z
      cidr: 10.9.0.0/16
      pods:
        - id: p1
          cidr: 10.9.0.0/24
          tors:
            - id: t1
              subnets:
                - {cidr: 10.9.0.0/28, purpose: default}
            - id: t2
              subnets:
                - {cidr: 10.9.0.16/28, purpose: default}
`

// SeedExpand imports topology (ExpandTopology or a variant) into the
// store at url, registers n1 on t1 and allocates n of t1's addresses,
// two days ago: what the expansion tests of ipam/local and server start
// from.
func SeedExpand(t *testing.T, url, topology string, n int) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// Seeded two days ago: the allocations are older than the recent
	// past that sizes a block, which stays a /28.
	st.Now = func() time.Time { return time.Now().Add(-48 * time.Hour) }
	f, err := topo.ParseTopologyFile("expand.yaml", []byte(topology))
	if err != nil {
		t.Fatal(err)
	}
	plan, err := st.PlanTopology(ctx, f, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.ApplyPlan(ctx, plan, "test"); err != nil {
		t.Fatal(err)
	}
	if err := st.UpsertNodes(ctx, []topo.Node{{ID: "n1", TOR: "t1"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := alloc.NewOneShotAllocator(st).Allocate(ctx, alloc.Request{Node: "n1", Count: n}); err != nil {
		t.Fatal(err)
	}
}
