package alloc

import (
	"net/netip"
	"testing"

	"github.com/netipam/netipam/topo"
)

func TestAdopt(t *testing.T) {
	ip := netip.MustParseAddr
	target := AdoptTarget{Node: "n1", TOR: "t1", Network: "net", Subnets: []topo.Subnet{
		{CIDR: netip.MustParsePrefix("10.0.0.0/24"), Purpose: "default", Gateway: ip("10.0.0.1"),
			Exclude: []netip.Prefix{netip.MustParsePrefix("10.0.0.8/29")}},
		{CIDR: netip.MustParsePrefix("fd00::/64"), Purpose: "default"},
	}}
	held := []topo.Allocation{
		{Address: ip("10.0.0.5"), Node: "n1", Network: "net", Container: "c5", IfName: "eth0", Purpose: "default"},
		{Address: ip("10.0.0.6"), Node: "n2", Network: "net", Container: "x", IfName: "eth0", Purpose: "default"},
	}
	leases := []Lease{
		{ip("10.0.0.2"), "c2", "eth0"},
		{ip("10.0.0.3"), "c2", "eth0"}, // second IPv4 of c2
		{ip("fd00::2"), "c2", "eth0"},  // its IPv6: fine
		{ip("10.0.0.1"), "g", "eth0"},  // gateway
		{ip("10.0.0.0"), "nw", "eth0"}, // network
		{ip("10.0.0.255"), "b", "eth0"},
		{ip("10.0.0.9"), "x9", "eth0"}, // excluded
		{ip("192.168.0.4"), "o", "eth0"},
		{ip("10.0.0.5"), "c5", "eth0"}, // imported before
		{ip("10.0.0.6"), "c6", "eth0"}, // another's
	}
	ad, err := Adopt(target, leases, held)
	if err != nil {
		t.Fatal(err)
	}
	addrs := func(as []topo.Allocation) (out []string) {
		for _, a := range as {
			out = append(out, a.Address.String())
		}
		return out
	}
	refused := func(rs []Refusal) (out []string) {
		for _, r := range rs {
			out = append(out, r.Lease.Addr.String())
		}
		return out
	}
	check := func(what string, got []string, want ...string) {
		t.Helper()
		if len(got) != len(want) {
			t.Errorf("%s: got %v, want %v", what, got, want)
			return
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s: got %v, want %v", what, got, want)
				return
			}
		}
	}
	check("new", addrs(ad.New), "10.0.0.2", "fd00::2")
	check("already", addrs(ad.Already), "10.0.0.5")
	check("skipped", refused(ad.Skipped), "10.0.0.0", "10.0.0.1", "10.0.0.9", "10.0.0.255", "192.168.0.4")
	check("conflicts", refused(ad.Conflicts), "10.0.0.3", "10.0.0.6")
	if a := ad.New[0]; a.Subnet.String() != "10.0.0.0/24" || a.TOR != "t1" || a.Network != "net" || a.Container != "c2" {
		t.Errorf("allocation %+v", a)
	}
}
