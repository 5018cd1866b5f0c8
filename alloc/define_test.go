package alloc

import (
	"net/netip"
	"testing"
)

func TestPoolDefines(t *testing.T) {
	pfx := netip.MustParsePrefix("10.70.0.0/24")
	gw := netip.MustParseAddr("10.70.0.1")
	x1, x2 := netip.MustParsePrefix("10.70.0.8/29"), netip.MustParsePrefix("10.70.0.64/26")
	p, err := NewPool(pfx, gw, []netip.Prefix{x1, x2})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		gw   netip.Addr
		excl []netip.Prefix
		want bool
	}{
		{"same", gw, []netip.Prefix{x1, x2}, true},
		{"same, other order", gw, []netip.Prefix{x2, x1}, true},
		{"an exclude dropped", gw, []netip.Prefix{x1}, false},
		{"an exclude added", gw, []netip.Prefix{x1, x2, netip.MustParsePrefix("10.70.0.200/32")}, false},
		{"an exclude changed", gw, []netip.Prefix{x1, netip.MustParsePrefix("10.70.0.128/26")}, false},
		{"another gateway", netip.MustParseAddr("10.70.0.254"), []netip.Prefix{x1, x2}, false},
		{"no gateway", netip.Addr{}, []netip.Prefix{x1, x2}, false},
	} {
		if got := p.Defines(tc.gw, tc.excl); got != tc.want {
			t.Errorf("%s: Defines = %v, want %v", tc.name, got, tc.want)
		}
	}
	excl := []netip.Prefix{x1, x2}
	if n := testing.AllocsPerRun(100, func() { p.Defines(gw, excl) }); n != 0 {
		t.Errorf("Defines allocates %v times per call, want 0", n)
	}
}
