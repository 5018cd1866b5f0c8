package topo

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
)

func TestAggregate(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"adjacent /26 buddies make a /25", "10.0.0.0/26 10.0.0.64/26", "10.0.0.0/25"},
		{"four /26 make a /24", "10.0.0.128/26 10.0.0.0/26 10.0.0.192/26 10.0.0.64/26", "10.0.0.0/24"},
		{"adjacent but not buddies stay apart", "10.0.0.64/26 10.0.0.128/26", "10.0.0.64/26 10.0.0.128/26"},
		{"non-adjacent stay apart", "10.0.0.0/26 10.0.1.0/26", "10.0.0.0/26 10.0.1.0/26"},
		{"a covered prefix disappears", "10.0.0.0/24 10.0.0.64/26", "10.0.0.0/24"},
		{"duplicates count once", "10.0.0.0/24 10.0.0.0/24", "10.0.0.0/24"},
		{"mixed sizes chain up", "10.0.0.0/25 10.0.0.128/26 10.0.0.192/26", "10.0.0.0/24"},
		{"IPv6 buddies", "fd00:1:0:2::/64 fd00:1:0:3::/64", "fd00:1:0:2::/63"},
		{"IPv6 non-adjacent", "fd00:1:0:1::/64 fd00:1:0:3::/64", "fd00:1:0:1::/64 fd00:1:0:3::/64"},
		{"both families, IPv4 first", "fd00::/64 10.0.0.0/26 fd00:0:0:1::/64 10.0.0.64/26", "10.0.0.0/25 fd00::/63"},
		{"nothing", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var in []netip.Prefix
			for _, s := range strings.Fields(tc.in) {
				in = append(in, netip.MustParsePrefix(s))
			}
			got, err := Aggregate(in)
			if err != nil {
				t.Fatal(err)
			}
			var gs []string
			for _, p := range got {
				gs = append(gs, p.String())
			}
			if want := strings.Fields(tc.want); !slices.Equal(gs, want) {
				t.Fatalf("Aggregate(%s) = %v, want %v", tc.in, gs, want)
			}
		})
	}
	if _, err := Aggregate([]netip.Prefix{{}}); err == nil {
		t.Fatal("an invalid prefix was aggregated")
	}
}

func TestOfFamily(t *testing.T) {
	ps := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/24"), netip.MustParsePrefix("fd00::/64")}
	if got := OfFamily(ps, IPv6); len(got) != 1 || got[0] != ps[1] {
		t.Fatalf("OfFamily(6) = %v", got)
	}
}
