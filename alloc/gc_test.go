package alloc

import (
	"net/netip"
	"testing"
	"time"

	"github.com/netipam/netipam/topo"
)

func TestDecideGC(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	grace := 15 * time.Minute
	held := func(addr, container string, at time.Time) topo.Allocation {
		return topo.Allocation{Address: netip.MustParseAddr(addr), Node: "n", Network: "net", Container: container,
			IfName: "eth0", At: at}
	}
	mark := func(a topo.Allocation, since time.Time) GCMarked {
		return GCMarked{Address: a.Address.String(), Attachment: a.Attachment(), AllocatedAt: a.At, MissingSince: since}
	}
	old := held("10.0.0.1", "old", t0)
	young := held("10.0.0.2", "young", t0.Add(25*time.Minute)) // a clock ahead of the gc's
	back := held("10.0.0.3", "back", t0)
	fresh := held("10.0.0.4", "fresh", t0)
	recent := held("10.0.0.5", "recent", t0)
	node := held("10.0.0.6", "", t0)
	reborn := held("10.0.0.7", "reborn", t0.Add(10*time.Minute)) // released and handed out again since its mark
	live := NewLiveSet(false, []topo.Attachment{back.Attachment()})
	marked := []GCMarked{mark(old, t0), mark(young, t0), mark(back, t0), mark(recent, t0.Add(10*time.Minute)),
		mark(held("10.0.0.7", "reborn", t0), t0)}
	now := t0.Add(20 * time.Minute)
	got := DecideGC([]topo.Allocation{old, young, back, fresh, recent, node, reborn}, live, marked,
		GCPolicy{Now: now, Grace: grace})
	want := []struct {
		action GCAction
		addr   string
	}{
		{GCRelease, "10.0.0.1"}, {GCMark, "10.0.0.4"}, {GCMark, "10.0.0.7"},
		{GCWait, "10.0.0.2"}, {GCWait, "10.0.0.5"}, {GCUnmark, "10.0.0.3"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d entries %+v, want %d", len(got), got, len(want))
	}
	for i, w := range want {
		if got[i].Action != w.action || got[i].Allocation.Address.String() != w.addr {
			t.Errorf("entry %d: %s %s, want %s %s", i, got[i].Action, got[i].Allocation.Address, w.action, w.addr)
		}
	}
	// The node's own address only with NodeAddresses.
	got = DecideGC([]topo.Allocation{node}, live, nil, GCPolicy{Now: now, Grace: grace, NodeAddresses: true})
	if len(got) != 1 || got[0].Action != GCMark {
		t.Errorf("node address with NodeAddresses: %+v, want marked", got)
	}
	// By container: any network or interface of a live container is live.
	byC := NewLiveSet(true, []topo.Attachment{{Container: "old"}})
	if !byC.Has(held("10.0.0.9", "old", t0)) || byC.Has(fresh) {
		t.Error("a live set by container matches by container alone")
	}
}
