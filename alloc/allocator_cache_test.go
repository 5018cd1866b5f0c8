package alloc

import (
	"context"
	"maps"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/netipam/netipam/topo"
)

// memLedger is an in-memory Ledger that counts topology reads and lets a
// test move a node or change a TOR's subnets behind the allocator's back.
type memLedger struct {
	mu        sync.Mutex
	nodeTOR   map[string]string
	subnets   map[string][]topo.Subnet
	held      map[netip.Addr]topo.Allocation
	cursors   map[netip.Prefix]netip.Addr
	topoReads int
	// fullReads counts Held calls, windowReads HeldFrom calls.
	fullReads, windowReads int
}

func (l *memLedger) NodeTOR(_ context.Context, node string) (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.topoReads++
	t, ok := l.nodeTOR[node]
	if !ok {
		return "", topo.ErrNotFound
	}
	return t, nil
}

func (l *memLedger) NodeSubnets(_ context.Context, tor string) ([]topo.Subnet, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.topoReads++
	return l.subnets[tor], nil
}

func (l *memLedger) Held(_ context.Context, subnets []netip.Prefix, fn func(netip.Prefix, netip.Addr)) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.fullReads++
	for a, x := range l.held {
		for _, p := range subnets {
			if p == x.Subnet {
				fn(p, a)
			}
		}
	}
	return nil
}

func (l *memLedger) HeldFrom(_ context.Context, subnet netip.Prefix, from netip.Addr, limit int) ([]netip.Addr, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.windowReads++
	var out []netip.Addr
	for a, x := range l.held {
		if x.Subnet == subnet && a.Compare(from) >= 0 {
			out = append(out, a)
		}
	}
	slices.SortFunc(out, netip.Addr.Compare)
	return out[:min(len(out), limit)], nil
}

func (l *memLedger) Counts(_ context.Context, subnets []netip.Prefix) (map[netip.Prefix]uint64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[netip.Prefix]uint64{}
	for _, x := range l.held {
		if slices.Contains(subnets, x.Subnet) {
			out[x.Subnet]++
		}
	}
	return out, nil
}

func (l *memLedger) Cursors(context.Context, []netip.Prefix) (map[netip.Prefix]netip.Addr, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return maps.Clone(l.cursors), nil
}

func (l *memLedger) Owned(context.Context, topo.Attachment) ([]topo.Allocation, error) {
	return nil, nil
}

// InsertAllocations plays the schema: an address must be free and lie in
// a subnet of the node's TOR.
func (l *memLedger) InsertAllocations(_ context.Context, allocs []topo.Allocation) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, a := range allocs {
		if _, dup := l.held[a.Address]; dup {
			return topo.Errorf(topo.ErrConflict, "UNIQUE constraint failed: allocations.address")
		}
		ok := false
		for _, s := range l.subnets[l.nodeTOR[a.Node]] {
			ok = ok || (s.CIDR == a.Subnet && a.TOR == l.nodeTOR[a.Node])
		}
		if !ok {
			return topo.Errorf(topo.ErrConflict, "netipam: address is not a usable address of a subnet of the node's TOR")
		}
	}
	for _, a := range allocs {
		l.held[a.Address] = a
	}
	return nil
}

func subnet(cidr string) topo.Subnet {
	p := netip.MustParsePrefix(cidr)
	return topo.Subnet{CIDR: p, Purpose: topo.PurposeDefault, Gateway: topo.DefaultGateway(p)}
}

func TestAllocatorRemembersTopology(t *testing.T) {
	ctx := context.Background()
	l := &memLedger{nodeTOR: map[string]string{"n1": "t1"},
		subnets: map[string][]topo.Subnet{"t1": {subnet("10.0.0.0/29")}, "t2": {subnet("10.0.1.0/24")}},
		held:    map[netip.Addr]topo.Allocation{}}
	al := NewAllocator(l)
	clock := time.Unix(0, 0)
	al.now = func() time.Time { return clock }
	for i := 0; i < 5; i++ {
		if _, err := al.Allocate(ctx, Request{Node: "n1"}); err != nil {
			t.Fatal(err)
		}
	}
	if l.topoReads != 2 {
		t.Fatalf("%d topology reads for five allocations, want 2 (the rest remembered)", l.topoReads)
	}
	// The /29 is full now; a subnet added behind the allocator's back is
	// found at once: exhaustion reads the topology again.
	l.subnets["t1"] = append(l.subnets["t1"], subnet("10.0.2.0/24"))
	got, err := al.Allocate(ctx, Request{Node: "n1"})
	if err != nil || !got[0].Subnet.Contains(got[0].Address) || got[0].Subnet != netip.MustParsePrefix("10.0.2.0/24") {
		t.Fatalf("after a subnet was added: %v %v", got, err)
	}
	// The node moved to another TOR: the remembered TOR is refused by the
	// ledger and the allocation lands on the new TOR.
	l.nodeTOR["n1"] = "t2"
	got, err = al.Allocate(ctx, Request{Node: "n1"})
	if err != nil || got[0].TOR != "t2" {
		t.Fatalf("after the node moved: %v %v", got, err)
	}
	// Past the TTL, the topology is read again even without a failure.
	before := l.topoReads
	al.Allocate(ctx, Request{Node: "n1"})
	if l.topoReads != before {
		t.Fatalf("topology read again within the TTL")
	}
	clock = clock.Add(topologyTTL)
	al.Allocate(ctx, Request{Node: "n1"})
	if l.topoReads != before+2 {
		t.Fatalf("topology not read again after the TTL: %d reads, want %d", l.topoReads, before+2)
	}
}

// FirstUse: the cache tests hold no container allocations.
func (l *memLedger) FirstUse(context.Context, string, string) ([]topo.SubnetUse, error) {
	return nil, nil
}

func (l *memLedger) Unrecord(_ context.Context, allocs []topo.Allocation) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, a := range allocs {
		delete(l.held, a.Address)
	}
	return nil
}
