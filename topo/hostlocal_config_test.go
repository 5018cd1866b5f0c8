package topo

import (
	"net/netip"
	"strings"
	"testing"
	"unicode"

	"go4.org/netipx"
)

// TestParseHostLocalConfig checks that a converted range hands out exactly
// what host-local would: rangeStart to rangeEnd, without the gateway.
func TestParseHostLocalConfig(t *testing.T) {
	conf := `{"cniVersion": "1.0.0", "name": "pods", "plugins": [{"type": "bridge", "ipam": {"type": "host-local",
		"ranges": [[{"subnet": "10.96.1.0/24", "rangeStart": "10.96.1.10", "rangeEnd": "10.96.1.200"}],
		           [{"subnet": "fd00:96:1::/120", "gateway": "fd00:96:1::ff"}]]}}, {"type": "portmap"}]}`
	name, subnets, err := ParseHostLocalConfig("c.conflist", []byte(conf), "default")
	if err != nil {
		t.Fatal(err)
	}
	if name != "pods" || len(subnets) != 2 {
		t.Fatalf("%s %+v", name, subnets)
	}
	handsOut := func(s Subnet) *netipx.IPSet {
		var b netipx.IPSetBuilder
		b.AddRange(usableRange(s.CIDR))
		for _, x := range s.Exclude {
			b.RemovePrefix(x)
		}
		b.Remove(s.Gateway)
		set, _ := b.IPSet()
		return set
	}
	want := func(from, to string) *netipx.IPSet {
		var b netipx.IPSetBuilder
		b.AddRange(netipx.IPRangeFrom(netip.MustParseAddr(from), netip.MustParseAddr(to)))
		set, _ := b.IPSet()
		return set
	}
	v4 := subnets[0]
	if v4.Gateway != netip.MustParseAddr("10.96.1.1") || !handsOut(v4).Equal(want("10.96.1.10", "10.96.1.200")) {
		t.Errorf("v4: gateway %s, hands out %v", v4.Gateway, handsOut(v4).Ranges())
	}
	v6 := subnets[1]
	if len(v6.Exclude) != 0 || !handsOut(v6).Equal(want("fd00:96:1::1", "fd00:96:1::fe")) {
		t.Errorf("v6: excludes %v, hands out %v", v6.Exclude, handsOut(v6).Ranges())
	}
	legacy := `{"name": "n", "type": "bridge", "ipam": {"type": "host-local", "subnet": "10.9.0.0/24", "gateway": "10.9.0.254"}}`
	_, subnets, err = ParseHostLocalConfig("l.conf", []byte(legacy), "default")
	if err != nil || len(subnets) != 1 || len(subnets[0].Exclude) != 0 || subnets[0].Gateway != netip.MustParseAddr("10.9.0.254") {
		t.Errorf("legacy: %+v %v", subnets, err)
	}
}

// FuzzParseHostLocalConfig checks that no config makes the parser panic,
// that no message echoes a control character, and that every subnet it
// gives is one netipam accepts.
func FuzzParseHostLocalConfig(f *testing.F) {
	f.Add([]byte(`{"name": "n", "plugins": [{"type": "bridge", "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.96.1.0/24", "rangeStart": "10.96.1.10", "rangeEnd": "10.96.1.200", "gateway": "10.96.1.1"}], [{"subnet": "fd00::/64"}]]}}]}`))
	f.Add([]byte(`{"name": "n", "type": "bridge", "ipam": {"type": "host-local", "subnet": "10.9.0.0/30", "rangeStart": "10.9.0.2"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, subnets, err := ParseHostLocalConfig("c.conf", data, "default")
		if err != nil {
			if strings.ContainsFunc(err.Error(), func(r rune) bool { return r != '\n' && unicode.IsControl(r) }) {
				t.Fatalf("message echoes a control character: %q", err.Error())
			}
			return
		}
		for _, s := range subnets {
			if err := ValidateSubnet("s", s); err != nil {
				t.Fatalf("gave an invalid subnet %+v: %v", s, err)
			}
		}
	})
}
