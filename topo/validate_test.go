package topo

import (
	"net/netip"
	"strings"
	"testing"
)

// twoPods is a valid topology with two pods; lines: zone-a 3, its cidr 4,
// pod-1 6 (cidr 7), tor-1 9, its subnet 11, pod-2 13 (cidr 14), tor-2 16,
// its subnet 18.
const twoPods = `topology:
  zones:
    - id: zone-a
      cidr: 10.244.0.0/16
      pods:
        - id: pod-1
          cidr: 10.244.0.0/20
          tors:
            - id: tor-1
              subnets:
                - cidr: 10.244.0.0/22
                  purpose: default
        - id: pod-2
          cidr: 10.244.16.0/20
          tors:
            - id: tor-2
              subnets:
                - cidr: 10.244.16.0/22
                  purpose: default
`

// edit replaces old by new in s, once, and fails loudly if old is absent.
func edit(s, old, new string) string {
	if !strings.Contains(s, old) {
		panic("edit: no " + old)
	}
	return strings.Replace(s, old, new, 1)
}

func TestValidateEntities(t *testing.T) {
	runErrorRows(t, parseTopo, []errorRow{
		{name: "missing id", yaml: edit(twoPods, "- id: zone-a\n", "- name: a\n"),
			field: "zones[0].id", line: 3, msg: "missing: every zone needs an id"},
		{name: "bad id", yaml: edit(twoPods, "id: tor-2", "id: -tor-2"),
			field: "zones[0].pods[1].tors[0].id", line: 16, msg: `invalid id "-tor-2"`},
		{name: "duplicate id across kinds", yaml: edit(twoPods, "id: pod-2", "id: zone-a"),
			field: "zones[0].pods[1].id", line: 13, msg: `duplicate id "zone-a": already used at zones[0] (line 3)`},
		{name: "duplicate tor across pods", yaml: edit(twoPods, "id: tor-2", "id: tor-1"),
			field: "zones[0].pods[1].tors[0].id", line: 16, msg: `duplicate id "tor-1"`},
		{name: "zone host bits", yaml: edit(twoPods, "cidr: 10.244.0.0/16", "cidr: 10.244.0.1/16"),
			field: "zones[0].cidr", line: 4, msg: "10.244.0.1/16 has host bits set: use 10.244.0.0/16"},
		{name: "pod without prefix", yaml: edit(twoPods, "          cidr: 10.244.16.0/20\n", ""),
			field: "zones[0].pods[1].cidr", line: 13, msg: "missing: pod pod-2 needs a prefix"},
		{name: "pod outside zone", yaml: edit(twoPods, "cidr: 10.244.16.0/20", "cidr: 10.245.16.0/20"),
			field: "zones[0].pods[1].cidr", line: 14, msg: "10.245.16.0/20 is not inside zone zone-a (10.244.0.0/16)", count: 2},
		{name: "subnet outside pod", yaml: edit(twoPods, "cidr: 10.244.16.0/22", "cidr: 10.244.32.0/22"),
			field: "zones[0].pods[1].tors[0].subnets[0].cidr", line: 18, msg: "10.244.32.0/22 is not inside pod pod-2 (10.244.16.0/20)"},
		{name: "zones overlap", yaml: twoPods + "    - id: zone-b\n      cidr: 10.244.128.0/17\n",
			field: "zones[1].cidr", line: 21, msg: "10.244.128.0/17 overlaps 10.244.0.0/16 of zone zone-a at zones[0].cidr (line 4)"},
		{name: "zone lists overlapping prefixes", yaml: edit(twoPods, "cidr: 10.244.0.0/16", "cidrs: [10.244.0.0/16, 10.244.0.0/17]"),
			field: "zones[0].cidrs[1]", line: 4, msg: "overlaps 10.244.0.0/16 of zone zone-a at zones[0].cidrs[0]"},
		{name: "pods overlap", yaml: edit(twoPods, "cidr: 10.244.16.0/20", "cidr: 10.244.0.0/19"),
			field: "zones[0].pods[1].cidr", line: 14, msg: "pod prefixes in one zone must not overlap"},
		{name: "subnets overlap across pods", yaml: edit(edit(twoPods, "cidr: 10.244.16.0/20", "cidr: 10.244.16.0/20\n          name: p2"), "cidr: 10.244.0.0/20", "cidrs: [10.244.0.0/20, 10.244.16.0/24]"),
			field: "zones[0].pods[1].cidr", line: 14, msg: "overlaps 10.244.16.0/24 of pod pod-1"},
		{name: "duplicate subnet", yaml: edit(twoPods, "cidr: 10.244.16.0/22", "cidr: 10.244.0.0/22"),
			field: "zones[0].pods[1].tors[0].subnets[0].cidr", line: 18, msg: "duplicate: 10.244.0.0/22 is already declared by tor tor-1 at zones[0].pods[0].tors[0].subnets[0].cidr (line 11)", count: 2},
	})
}

func TestValidateSubnets(t *testing.T) {
	const s0 = "zones[0].pods[0].tors[0].subnets[0]"
	const s1 = "zones[0].pods[0].tors[0].subnets[1]"
	runErrorRows(t, parseTopo, []errorRow{
		{name: "missing cidr", yaml: withSubnets("- purpose: default"), field: s0 + ".cidr", line: 11, msg: "missing"},
		{name: "host bits", yaml: withSubnets("- cidr: 10.244.1.0/22", "  purpose: default"), field: s0 + ".cidr", line: 11, msg: "use 10.244.0.0/22"},
		{name: "ipv4 /31", yaml: withSubnets("- cidr: 10.244.0.0/31", "  purpose: default"), field: s0 + ".cidr", line: 11, msg: "an IPv4 subnet must be /30 or larger"},
		{name: "ipv6 /56", yaml: withSubnets("- cidr: fd00::/56", "  purpose: default"), field: s0 + ".cidr", line: 11, msg: "between /64 and /126 inclusive"},
		{name: "ipv6 /127", yaml: withSubnets("- cidr: fd00::/127", "  purpose: default"), field: s0 + ".cidr", line: 11, msg: "has prefix length /127"},
		{name: "mapped cidr", yaml: withSubnets("- cidr: ::ffff:10.244.0.0/118", "  purpose: default"), field: s0 + ".cidr", line: 11, msg: "IPv4-mapped IPv6 prefix ::ffff:10.244.0.0/118 is not allowed: write it as the IPv4 prefix 10.244.0.0/22"},
		{name: "mapped gateway", yaml: withSubnets("- cidr: 10.244.0.0/22", "  purpose: default", "  gateway: ::ffff:10.244.0.1"), field: s0 + ".gateway", line: 13, msg: "IPv4-mapped IPv6 address ::ffff:10.244.0.1 is not allowed: write it as 10.244.0.1"},
		{name: "gateway outside", yaml: withSubnets("- cidr: 10.244.0.0/22", "  purpose: default", "  gateway: 10.244.4.1"), field: s0 + ".gateway", line: 13, msg: "gateway 10.244.4.1 is not inside subnet 10.244.0.0/22: use an address inside it such as 10.244.0.1"},
		{name: "gateway network", yaml: withSubnets("- cidr: 10.244.0.0/22", "  purpose: default", "  gateway: 10.244.0.0"), field: s0 + ".gateway", line: 13, msg: "is the network address"},
		{name: "gateway broadcast", yaml: withSubnets("- cidr: 10.244.0.0/22", "  purpose: default", "  gateway: 10.244.3.255"), field: s0 + ".gateway", line: 13, msg: "is the broadcast address"},
		{name: "exclude outside", yaml: withSubnets("- cidr: 10.244.0.0/22", "  purpose: default", "  exclude: [10.244.0.9, 10.244.8.0/24]"), field: s0 + ".exclude[1]", line: 13, msg: "exclude 10.244.8.0/24 is not inside subnet 10.244.0.0/22"},
		{name: "exclude range partly outside", yaml: withSubnets("- cidr: 10.244.0.0/22", "  purpose: default", "  exclude:", "    - 10.244.0.9", "    - 10.244.3.254-10.244.4.1", "    - 10.244.1.0/24"),
			field: s0 + ".exclude[1]", line: 15, msg: "exclude 10.244.4.0/31 is not inside"},
		{name: "exclude host bits", yaml: withSubnets("- cidr: 10.244.0.0/22", "  purpose: default", "  exclude: [10.244.0.9/29]"), field: s0 + ".exclude[0]", line: 13, msg: "use 10.244.0.8/29"},
		{name: "missing purpose", yaml: withSubnets("- cidr: 10.244.0.0/22"), field: s0 + ".purpose", line: 11, msg: "missing: every subnet needs a purpose"},
		{name: "bad purpose", yaml: withSubnets("- cidr: 10.244.0.0/22", "  purpose: Storage"), field: s0 + ".purpose", line: 12, msg: `invalid purpose "Storage"`},
		{name: "overlap in one tor", yaml: withSubnets("- cidr: 10.244.0.0/22", "  purpose: default", "- cidr: 10.244.2.0/24", "  purpose: storage"), field: s1 + ".cidr", line: 13, msg: "10.244.2.0/24 overlaps 10.244.0.0/22 of tor tor-1"},
	})
}

func TestValidateWithoutFile(t *testing.T) {
	top := &Topology{Zones: []Zone{{
		ID:    "zone-a",
		CIDRs: []netip.Prefix{netip.MustParsePrefix("10.244.0.1/16")},
	}}}
	err := top.Validate()
	if err == nil || err.Error() != "zones[0].cidr: 10.244.0.1/16 has host bits set: use 10.244.0.0/16" {
		t.Errorf("Validate() = %v", err)
	}
	if err := mustParse(t, twoPods).Validate(); err != nil {
		t.Errorf("Validate() of a parsed topology = %v", err)
	}
}

// A child need lie inside its parent only where the parent declares a
// prefix of the child's family: an IPv6 pod in an IPv4-only zone, or an IPv6
// subnet in an IPv4-only pod, is fine.
func TestValidateFamilyWithoutParentPrefix(t *testing.T) {
	for name, yaml := range map[string]string{
		"ipv6 pod in ipv4 zone":   edit(twoPods, "cidr: 10.244.16.0/20", "cidrs: [10.244.16.0/20, \"fd00::/56\"]"),
		"ipv6 subnet in ipv4 pod": edit(twoPods, "cidr: 10.244.16.0/22", "cidr: \"fd00::/64\""),
	} {
		if _, err := ParseTopology("t.yaml", []byte(yaml)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
