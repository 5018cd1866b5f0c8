package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/store/storetest"
	"github.com/netipam/netipam/topo"
)

// TestGCWithThousandsOfValidAttachments: GC's filter keeps a node's valid
// attachments however many there are (one clause per attachment would pass
// SQLite's expression depth of 1000), and releases exactly the others.
func TestGCWithThousandsOfValidAttachments(t *testing.T) {
	ctx := context.Background()
	st, _ := storetest.DemoRecorded(t)
	a := alloc.NewAllocator(st)
	for i := range 3 {
		if _, err := a.Allocate(ctx, alloc.Request{Node: "node-01", Network: "rack-net", Family: topo.IPv4,
			Container: fmt.Sprintf("c%d", i), IfName: "eth0"}); err != nil {
			t.Fatal(err)
		}
	}
	keep := []topo.Attachment{{Network: "rack-net", Container: "c0", IfName: "eth0"}}
	for i := range 3000 {
		keep = append(keep, topo.Attachment{Network: "rack-net", Container: fmt.Sprintf("gone-%d", i), IfName: "eth0"})
	}
	node, network := "node-01", "rack-net"
	freed, err := st.Release(ctx, topo.AllocationFilter{Node: &node, Network: &network, NotOwners: keep}, "gc")
	if err != nil {
		t.Fatal(err)
	}
	if len(freed) != 2 || freed[0].Container == "c0" || freed[1].Container == "c0" {
		t.Fatalf("GC freed %+v, want c1 and c2", freed)
	}
	left, err := st.Allocations(ctx, topo.AllocationFilter{Node: &node})
	if err != nil || len(left) != 1 || left[0].Container != "c0" {
		t.Fatalf("left %+v %v, want c0 only", left, err)
	}
}
