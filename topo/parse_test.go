package topo

import (
	"net/netip"
	"reflect"
	"testing"
)

func TestParseTopologyValues(t *testing.T) {
	top := mustParse(t, withSubnets(
		"- cidr: 10.244.0.0/22",
		"  purpose: default",
		`  exclude: ["10.244.0.2", "10.244.0.8/29", "10.244.0.100-10.244.0.103"]`,
		"- cidr: 10.244.4.0/24",
		"  purpose: storage",
		"  gateway: 10.244.4.254",
	))
	got := top.Zones[0].Pods[0].TORs[0].Subnets
	want := []Subnet{
		{
			CIDR:    netip.MustParsePrefix("10.244.0.0/22"),
			Purpose: "default",
			Gateway: netip.MustParseAddr("10.244.0.1"),
			Exclude: []netip.Prefix{
				netip.MustParsePrefix("10.244.0.2/32"),
				netip.MustParsePrefix("10.244.0.8/29"),
				netip.MustParsePrefix("10.244.0.100/30"),
			},
		},
		{
			CIDR:    netip.MustParsePrefix("10.244.4.0/24"),
			Purpose: "storage",
			Gateway: netip.MustParseAddr("10.244.4.254"),
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("subnets =\n%+v\nwant\n%+v", got, want)
	}
}

func TestParseTopologyDecodeErrors(t *testing.T) {
	runErrorRows(t, parseTopo, []errorRow{
		{name: "empty", yaml: "", field: "", line: 0, msg: "file is empty"},
		{name: "bad yaml", yaml: "topology:\n  zones: [\n", field: "", line: 2, msg: "invalid YAML"},
		{name: "no topology", yaml: "zones: []\n", field: "zones", line: 1, msg: `unknown key "zones"`, count: 2},
		{name: "unknown top key", yaml: "topology:\n  zones: []\n  extra: 1\n", field: "extra", line: 3, msg: `unknown key "extra"`},
		{name: "unknown subnet key", yaml: withSubnets("- cidr: 10.244.0.0/22", "  purpose: default", "  vlan: 10"),
			field: "zones[0].pods[0].tors[0].subnets[0].vlan", line: 13, msg: `unknown key "vlan": allowed keys here are cidr, purpose, gateway, exclude`},
		{name: "duplicate key", yaml: withSubnets("- cidr: 10.244.0.0/22", "  purpose: default", "  purpose: storage"),
			field: "zones[0].pods[0].tors[0].subnets[0].purpose", line: 13, msg: "duplicate key"},
		{name: "cidr and cidrs", yaml: "topology:\n  zones:\n    - id: z\n      cidr: 10.0.0.0/8\n      cidrs: [10.0.0.0/8]\n",
			field: "zones[0].cidrs", line: 5, msg: "cidr and cidrs are both set"},
		{name: "bad cidr", yaml: withSubnets("- cidr: 10.244.0.0/33", "  purpose: default"),
			field: "zones[0].pods[0].tors[0].subnets[0].cidr", line: 11, msg: `invalid CIDR "10.244.0.0/33"`},
		{name: "bad cidrs item", yaml: "topology:\n  zones:\n    - id: z\n      cidrs:\n        - 10.0.0.0/8\n        - nope\n",
			field: "zones[0].cidrs[1]", line: 6, msg: `invalid CIDR "nope"`},
		{name: "bad gateway", yaml: withSubnets("- cidr: 10.244.0.0/22", "  purpose: default", "  gateway: 10.244.0"),
			field: "zones[0].pods[0].tors[0].subnets[0].gateway", line: 13, msg: "invalid IP address"},
		{name: "gateway zone", yaml: withSubnets("- cidr: 10.244.0.0/22", "  purpose: default", "  gateway: fe80::1%eth0"),
			field: "zones[0].pods[0].tors[0].subnets[0].gateway", line: 13, msg: "IPv6 zone"},
		{name: "reversed range", yaml: withSubnets("- cidr: 10.244.0.0/22", "  purpose: default", "  exclude:", "    - 10.244.0.9", "    - 10.244.0.20-10.244.0.10"),
			field: "zones[0].pods[0].tors[0].subnets[0].exclude[1]", line: 15, msg: "invalid range"},
		{name: "zones not a list", yaml: "topology:\n  zones:\n    id: z\n", field: "zones", line: 3, msg: "want a list, got a mapping"},
		{name: "tor not a mapping", yaml: base[:len(base)-len("              subnets:\n")] + "            - tor-2\n",
			field: "zones[0].pods[0].tors[1]", line: 10, msg: "want a mapping"},
		{name: "alias", yaml: "topology:\n  zones:\n    - &z {id: z, cidr: 10.0.0.0/8}\n    - *z\n", field: "zones[1]", line: 4, msg: "aliases are not supported"},
		{name: "null name", yaml: "topology:\n  zones:\n    - id: z\n      name:\n      cidr: 10.0.0.0/8\n", field: "zones[0].name", line: 4, msg: "value is missing"},
	})
}

func TestParseTopologyErrorsSortedByLine(t *testing.T) {
	_, err := ParseTopology("t.yaml", []byte(withSubnets(
		"- cidr: 10.244.0.1/22",
		"  purpose: Default",
		"- cidr: 10.244.0.0/24",
		"  purpose: storage",
	)))
	es, ok := err.(Errors)
	if !ok || len(es) < 2 {
		t.Fatalf("want several errors, got %v", err)
	}
	for i := 1; i < len(es); i++ {
		if es[i-1].Line > es[i].Line {
			t.Errorf("errors not sorted by line:\n%v", err)
		}
	}
}
