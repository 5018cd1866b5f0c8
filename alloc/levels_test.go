package alloc

import (
	"net/netip"
	"testing"

	"github.com/netipam/netipam/topo"
)

// Nearest takes the nearest level with room, the least used pool within
// it, and allocates nothing.
func TestNearest(t *testing.T) {
	mk := func(cidr string, level topo.Level) (topo.Subnet, *Pool) {
		p := netip.MustParsePrefix(cidr)
		pool, err := NewPool(p, netip.Addr{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return topo.Subnet{CIDR: p, Level: level}, pool
	}
	var subnets []topo.Subnet
	var pools []*Pool
	for _, x := range []struct {
		cidr  string
		level topo.Level
	}{{"10.0.9.0/30", topo.LevelZone}, {"10.0.5.0/30", topo.LevelPod}, {"10.0.0.0/30", ""}, {"10.0.1.0/29", topo.LevelTOR}} {
		s, p := mk(x.cidr, x.level)
		subnets, pools = append(subnets, s), append(pools, p)
	}
	fill := func(p *Pool) {
		for !p.Full() {
			if _, err := p.Next(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if got := Nearest(subnets, pools); got != pools[2] {
		t.Fatalf("with both TOR pools empty: got %v, want the first least used TOR pool %v", got.Prefix(), pools[2].Prefix())
	}
	if _, err := pools[2].Next(); err != nil {
		t.Fatal(err)
	}
	if got := Nearest(subnets, pools); got != pools[3] {
		t.Fatalf("got %v, want the less used TOR pool 10.0.1.0/29", got.Prefix())
	}
	fill(pools[2])
	fill(pools[3])
	if got := Nearest(subnets, pools); got != pools[1] {
		t.Fatalf("TOR full: got %v, want the pod's", got.Prefix())
	}
	fill(pools[1])
	if got := Nearest(subnets, pools); got != pools[0] {
		t.Fatalf("TOR and pod full: got %v, want the zone's", got.Prefix())
	}
	if n := testing.AllocsPerRun(100, func() { Nearest(subnets, pools) }); n != 0 {
		t.Errorf("Nearest allocates %v times per call", n)
	}
	fill(pools[0])
	if got := Nearest(subnets, pools); got != nil {
		t.Fatalf("all full: got %v", got.Prefix())
	}
	if got := Nearest(subnets, []*Pool{nil, nil, nil, nil}); got != nil {
		t.Fatal("nil pools chosen")
	}
}
