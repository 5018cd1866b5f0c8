package topo

import (
	"net/netip"
	"testing"
)

type netipPrefix = netip.Prefix

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }
func addr(s string) netip.Addr  { return netip.MustParseAddr(s) }

func TestLookup(t *testing.T) {
	top := mustParse(t, twoPods)
	tors := top.TORs()
	if len(tors) != 2 || tors[0].TOR.ID != "tor-1" || tors[1].Zone != "zone-a" || tors[1].Pod != "pod-2" {
		t.Errorf("TORs() = %+v", tors)
	}
	r, ok := top.FindTOR("tor-2")
	if !ok || r.Pod != "pod-2" || r.TOR.Subnets[0].CIDR != pfx("10.244.16.0/22") {
		t.Errorf("FindTOR(tor-2) = %+v, %v", r, ok)
	}
	if _, ok := top.FindTOR("tor-9"); ok {
		t.Error("FindTOR(tor-9) found a TOR")
	}
	subs := top.Subnets()
	if len(subs) != 2 || subs[1].TOR != "tor-2" || subs[1].Subnet.Gateway != addr("10.244.16.1") {
		t.Errorf("Subnets() = %+v", subs)
	}
	s, ok := top.FindSubnet(pfx("10.244.0.0/22"))
	if !ok || s.TOR != "tor-1" || s.Zone != "zone-a" {
		t.Errorf("FindSubnet() = %+v, %v", s, ok)
	}
}
