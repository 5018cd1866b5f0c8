package e2e

import (
	"context"
	"errors"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

// TestLongLivedAllocatorSeesCLIReleases: a long-lived allocator (as
// netipam serve runs it: a group committer, every pool loaded, the ledger
// followed) fills a /27; `netipam release` processes free five of its
// addresses; the allocator then hands out exactly those five, and says
// "exhausted" again only when the subnet is full again.
func TestLongLivedAllocatorSeesCLIReleases(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	path := filepath.Join(t.TempDir(), "netipam.db")
	url := "sqlite://" + path
	st, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	z := netip.MustParsePrefix("10.0.0.0/8")
	sn := topo.Subnet{CIDR: netip.MustParsePrefix("10.9.0.0/27"), Purpose: "default"}
	sn.Gateway = topo.DefaultGateway(sn.CIDR)
	tp := &topo.Topology{Zones: []topo.Zone{{ID: "z", CIDRs: []netip.Prefix{z}, Pods: []topo.Pod{{ID: "p",
		CIDRs: []netip.Prefix{z}, TORs: []topo.TOR{{ID: "ts", Subnets: []topo.Subnet{sn}}}}}}}}
	if err := st.ApplyTopology(ctx, tp, false, "test"); err != nil {
		t.Fatal(err)
	}
	if err := st.UpsertNodes(ctx, []topo.Node{{ID: "ns", TOR: "ts"}}); err != nil {
		t.Fatal(err)
	}

	gc := store.NewGroupCommitter(st, store.GroupOptions{})
	a := alloc.NewAllocator(gc)
	from, err := st.LastEventID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.LoadAll(ctx, []topo.Subnet{sn}); err != nil {
		t.Fatal(err)
	}
	followed := make(chan struct{})
	go func() {
		defer close(followed)
		a.Follow(ctx, st, from, 5*time.Millisecond, func(err error) { t.Logf("follow: %v", err) })
	}()
	t.Cleanup(func() { cancel(); <-followed; gc.Close() })

	var held []netip.Addr
	for range 29 {
		out, err := a.Allocate(ctx, alloc.Request{Node: "ns"})
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, out[0].Address)
	}
	if _, err := a.Allocate(ctx, alloc.Request{Node: "ns"}); !errors.Is(err, topo.ErrExhausted) {
		t.Fatalf("a full /27: %v, want exhausted", err)
	}
	freed := map[netip.Addr]bool{}
	args := []string{"release"}
	for _, ip := range held[10:15] {
		args = append(args, "--ip", ip.String())
		freed[ip] = true
	}
	mustRun(t, url, args...)
	last, err := st.LastEventID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); a.FeedPosition() < last; time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the feed is at event %d after 10 s, the ledger at %d", a.FeedPosition(), last)
		}
	}
	for range 5 {
		out, err := a.Allocate(ctx, alloc.Request{Node: "ns"})
		if err != nil {
			t.Fatalf("after `netipam release` of 5: %v", err)
		}
		if !freed[out[0].Address] {
			t.Fatalf("handed out %s, not one of those released", out[0].Address)
		}
		delete(freed, out[0].Address)
	}
	if _, err := a.Allocate(ctx, alloc.Request{Node: "ns"}); !errors.Is(err, topo.ErrExhausted) {
		t.Fatalf("full again: %v, want exhausted", err)
	}
	checkIntegrity(t, path)
}
