package store_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/store/storetest"
	"github.com/netipam/netipam/topo"
)

// TestNodeCounts: per node, purpose and family, node-held addresses apart,
// nodes holding nothing listed with zero; the count is one GROUP BY read
// from the allocations_node index.
func TestNodeCounts(t *testing.T) {
	ctx := context.Background()
	st, rec := storetest.DemoRecorded(t)
	for _, r := range []alloc.Request{
		{Node: "node-01", Family: topo.IPv4, Count: 3},
		{Node: "node-01", Family: topo.IPv4, Network: "n", Container: "c1", IfName: "eth0", Purposes: []string{"default", "storage"}},
		{Node: "node-02", Family: topo.IPv6},
	} {
		if _, err := alloc.NewOneShotAllocator(st).Allocate(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	rec.Take()
	got, err := st.NodeCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, c := range got {
		if c.Node == "node-01" || c.Node == "node-02" || c.Node == "node-03" {
			lines = append(lines, strings.Join([]string{c.Node, c.TOR, c.Purpose, strconv.Itoa(c.Family), strconv.Itoa(int(c.Allocations)),
				strconv.Itoa(int(c.NodeHeld))}, " "))
		}
	}
	want := "node-01 tor-1 default 4 4 3|node-01 tor-1 storage 4 1 0|node-02 tor-1 default 6 1 1|node-03 tor-2  0 0 0"
	if strings.Join(lines, "|") != want {
		t.Fatalf("node counts:\n%s\nwant\n%s", strings.Join(lines, "|"), want)
	}
	for _, st2 := range rec.Take() {
		plan, err := storetest.QueryPlan(st.Backend(), st2)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(st2.SQL, "FROM allocations") && !strings.Contains(strings.Join(plan, "|"), "USING INDEX allocations_node") {
			t.Errorf("%s: plan %v, want the allocations_node index", st2.SQL, plan)
		}
	}
}
