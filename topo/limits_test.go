package topo

import (
	"strings"
	"testing"
)

func TestValidateLimits(t *testing.T) {
	runErrorRows(t, parseTopo, []errorRow{
		{name: "subnet 0.0.0.0/0", yaml: withSubnets("- cidr: 0.0.0.0/0", "  purpose: default"),
			field: "zones[0].pods[0].tors[0].subnets[0].cidr", line: 11, msg: `0.0.0.0/0 covers "this network" addresses (0.0.0.0/8)`},
		{name: "zone of loopback addresses", yaml: edit(edit(base, "cidr: 10.244.0.0/16", "cidr: 127.0.0.0/8"), "cidr: 10.244.0.0/20", "cidr: 127.0.0.0/20"),
			field: "zones[0].cidr", line: 4, msg: "loopback addresses", count: 2},
		{name: "multicast subnet", yaml: edit(edit(base, "cidr: 10.244.0.0/16", "cidr: 239.0.0.0/16"), "cidr: 10.244.0.0/20", "cidr: 239.0.0.0/20"),
			field: "zones[0].cidr", line: 4, msg: "multicast addresses (224.0.0.0/4)", count: 2},
		{name: "ipv6 link-local", yaml: withSubnets("- cidr: fe80::/64", "  purpose: default"),
			field: "zones[0].pods[0].tors[0].subnets[0].cidr", line: 11, msg: "link-local addresses (fe80::/10)"},
		{name: "ipv6 multicast", yaml: withSubnets("- cidr: ff02::/64", "  purpose: default"),
			field: "zones[0].pods[0].tors[0].subnets[0].cidr", line: 11, msg: "multicast addresses (ff00::/8)"},
		{name: "ipv6 holding ::1", yaml: withSubnets("- cidr: ::/126", "  purpose: default"),
			field: "zones[0].pods[0].tors[0].subnets[0].cidr", line: 11, msg: "the unspecified address ::"},
		{name: "exclude covers the subnet", yaml: withSubnets("- cidr: 10.244.1.0/24", "  purpose: default", "  exclude: [10.244.1.0/24]"),
			field: "zones[0].pods[0].tors[0].subnets[0].exclude", line: 13, msg: "cover every usable address of 10.244.1.0/24"},
		{name: "exclude range and gateway leave nothing", yaml: withSubnets("- cidr: 10.244.1.0/29", "  purpose: default", "  exclude: [10.244.1.2-10.244.1.6]"),
			field: "zones[0].pods[0].tors[0].subnets[0].exclude", line: 13, msg: "cover every usable address"},
		{name: "tor id with the virtual prefix", yaml: edit(base, "id: tor-1", "id: virtual-node-01"),
			field: "zones[0].pods[0].tors[0].id", line: 9, msg: `tor id "virtual-node-01" starts with "virtual-"`},
		{name: "zone id with the virtual prefix", yaml: edit(base, "id: zone-a", "id: virtual-a"),
			field: "zones[0].id", line: 3, msg: `zone id "virtual-a" starts with "virtual-"`},
		{name: "name over 253 bytes", yaml: edit(base, "id: pod-1\n", "id: pod-1\n          name: "+strings.Repeat("é", 127)+"\n"),
			field: "zones[0].pods[0].name", line: 7, msg: "name is 254 bytes long: use at most 253"},
		{name: "location with an escape", yaml: edit(base, "id: tor-1\n", "id: tor-1\n              location: \"r\\e[1m\"\n"),
			field: "zones[0].pods[0].tors[0].location", line: 10, msg: `location "r\x1b[1m" holds a control character`},
		{name: "name with a bidi override", yaml: edit(base, "id: tor-1\n", "id: tor-1\n              name: \"a\\u202Eb\"\n"),
			field: "zones[0].pods[0].tors[0].name", line: 10, msg: `name "a\u202eb" holds a control character`},
		{name: "unknown key with an escape", yaml: edit(base, "id: tor-1\n", "id: tor-1\n              \"x\\e\": 1\n"),
			field: `zones[0].pods[0].tors[0]."x\x1b"`, line: 10, msg: `unknown key "x\x1b"`},
		{name: "second document", yaml: base + "---\n" + base,
			field: "", line: 11, msg: "a second YAML document starts here"},
	})
}

func TestValidateNodeLimits(t *testing.T) {
	for _, c := range []struct {
		name string
		node Node
		want string
	}{
		{"virtual tor of another node", Node{ID: "n1", TOR: "virtual-n2"}, `tor_id: TOR id "virtual-n2" is the virtual TOR of another node`},
		{"name with a control character", Node{ID: "n1", TOR: "t", Name: "a\x00b"}, `name: name "a\x00b" holds a control character`},
		{"long name", Node{ID: "n1", TOR: "t", Name: strings.Repeat("x", 300)}, "name: name is 300 bytes long"},
		{"label value with a newline", Node{ID: "n1", TOR: "t", Labels: map[string]string{"k": "a\nb"}}, `labels.k: invalid label value "a\nb"`},
		{"label key with an escape", Node{ID: "n1", TOR: "t", Labels: map[string]string{"k\x1b": "v"}}, `labels."k\x1b": invalid label key "k\x1b"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := ValidateNode(c.node)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("ValidateNode() = %v, want %q", err, c.want)
			}
			if strings.ContainsAny(err.Error(), "\x00\x1b\n\a") {
				t.Fatalf("the message echoes a control character: %q", err)
			}
		})
	}
	long := strings.Repeat("n", 63)
	if err := ValidateNode(Node{ID: long, TOR: VirtualTOR(long)}); err != nil {
		t.Fatalf("a node on its own virtual TOR: %v", err)
	}
}

// TestCheckIDAcceptsLongVirtualTORs: the virtual TOR of a node with a
// 63-character id has a 71-character id, and subnet add --tor must take it.
func TestCheckIDAcceptsLongVirtualTORs(t *testing.T) {
	node := strings.Repeat("n", 63)
	if err := CheckID("--tor", VirtualPrefix+node); err != nil {
		t.Fatalf("virtual TOR of a 63-character node id: %v", err)
	}
	for _, bad := range []string{VirtualPrefix + strings.Repeat("n", 64), "virtual-\x1b", strings.Repeat("t", 64)} {
		if err := CheckID("--tor", bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
