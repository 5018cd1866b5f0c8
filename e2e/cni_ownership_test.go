package e2e

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// netConfNamed is netConf with another network name.
func netConfNamed(name, version, storeURL, ipam string, top ...string) string {
	return strings.Replace(netConf(version, storeURL, ipam, top...), `"name": "netipam-test"`, `"name": "`+name+`"`, 1)
}

// heldBy reads "network/container/ifname@node address" for every allocation.
func heldBy(t *testing.T, url string) []string {
	t.Helper()
	out := mustRun(t, url, "sql", "-o", "csv",
		"SELECT network || '/' || COALESCE(container, '') || '/' || ifname || '@' || node_id || ' ' || address FROM allocations ORDER BY addr_key")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return lines[1:]
}

// TestCNIAttachmentOwnedByNetworkAndNode is the example: node-07,
// network other-net, ADD for container c1 eth0 returned node-01's address
// on tor-1 and recorded nothing; a DEL from node-07 then released
// node-01's live addresses. An attachment is (network, container, ifname)
// on its node: no request returns, checks or releases what another network
// or another node holds.
func TestCNIAttachmentOwnedByNetworkAndNode(t *testing.T) {
	t.Parallel()
	url, _ := seeded(t)
	rack01 := netConfNamed("rack-net", "1.1.0", url, `"node": "node-01"`)
	out01 := cniOK(t, cniCall{command: "ADD", container: "c1", conf: rack01})
	res01 := parseResult(t, "1.1.0", out01)
	before := heldBy(t, url)

	// Another network on another node: its own addresses, from its own TOR.
	other07 := netConfNamed("other-net", "1.1.0", url, `"node": "node-07"`)
	res07 := parseResult(t, "1.1.0", cniOK(t, cniCall{command: "ADD", container: "c1", conf: other07}))
	if len(res07.IPs) != 1 || !strings.HasPrefix(res07.IPs[0].Address.IP.String(), "10.245.") {
		t.Fatalf("node-07 (tor-5) got %v, want one address of tor-5 (10.245.0.0/22)", res07.IPs)
	}
	for _, ip := range res01.IPs {
		if ip.Address.IP.Equal(res07.IPs[0].Address.IP) {
			t.Fatalf("node-07's other-net ADD returned node-01's %v", ip.Address.IP)
		}
	}
	if got := heldBy(t, url); len(got) != len(before)+1 || !slices.Contains(got, "other-net/c1/eth0@node-07 "+res07.IPs[0].Address.IP.String()) {
		t.Fatalf("after node-07's ADD the table holds %v", got)
	}

	// The same network's attachment asked from another node: refused,
	// naming the holder; nothing recorded.
	rack07 := netConfNamed("rack-net", "1.1.0", url, `"node": "node-07"`)
	e := cniFail(t, cniCall{command: "ADD", container: "c1", conf: rack07})
	if e.Code != 999 || !strings.Contains(e.Msg, "rack-net/c1/eth0 already holds") || !strings.Contains(e.Msg, "on node node-01, not on node-07") {
		t.Fatalf("ADD of node-01's attachment from node-07: %+v", e)
	}
	// CHECK from node-07 of node-01's addresses fails.
	prev := netConfNamed("rack-net", "1.1.0", url, `"node": "node-07"`, `"prevResult": `+out01)
	if e := cniFail(t, cniCall{command: "CHECK", container: "c1", conf: prev}); e.Code != 999 || !strings.Contains(e.Msg, "on node node-07") {
		t.Fatalf("CHECK from node-07: %+v", e)
	}
	// DEL from node-07 of rack-net (held on node-01) and of other-net with
	// another interface: success, nothing changes.
	withOther := heldBy(t, url)
	cniOK(t, cniCall{command: "DEL", container: "c1", conf: rack07})
	cniOK(t, cniCall{command: "DEL", container: "c1", ifname: "net1", conf: other07})
	if got := heldBy(t, url); !slices.Equal(got, withOther) {
		t.Fatalf("DELs of what node-07 does not hold changed the table:\n%v\nwant\n%v", got, withOther)
	}
	// other-net's DEL releases only other-net's address.
	cniOK(t, cniCall{command: "DEL", container: "c1", conf: other07})
	if got := heldBy(t, url); !slices.Equal(got, before) {
		t.Fatalf("after other-net's DEL: %v, want %v", got, before)
	}
	// node-01's CHECK still passes; its DEL frees its addresses.
	cniOK(t, cniCall{command: "CHECK", container: "c1", conf: netConfNamed("rack-net", "1.1.0", url, `"node": "node-01"`, `"prevResult": `+out01)})
	cniOK(t, cniCall{command: "DEL", container: "c1", conf: rack01})
	if got := heldBy(t, url); len(got) != 0 {
		t.Fatalf("after node-01's DEL: %v", got)
	}
}

// TestCLIAttachmentOwnedByNetworkAndNode: the CLI's alloc and release
// --container use the same key and the same node check as the plugin.
func TestCLIAttachmentOwnedByNetworkAndNode(t *testing.T) {
	t.Parallel()
	url, _ := seeded(t)
	cniOK(t, cniCall{command: "ADD", container: "c1", conf: netConfNamed("rack-net", "1.1.0", url, `"node": "node-01"`)})
	mustRun(t, url, "alloc", "--node", "node-03", "--container", "c1", "--family", "4") // the CLI's own network
	before := heldBy(t, url)

	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"alloc another node's attachment", []string{"alloc", "--node", "node-07", "--network", "rack-net", "--container", "c1"}, 4,
			"rack-net/c1/eth0 already holds"},
		{"release on the wrong node", []string{"release", "--network", "rack-net", "--container", "c1", "--node", "node-07"}, 3,
			"nothing released"},
		{"release in the wrong network", []string{"release", "--network", "other-net", "--container", "c1"}, 3, "nothing released"},
		{"network without container", []string{"alloc", "--node", "node-01", "--network", "rack-net"}, 2, "--network go with --container"},
		{"bad container id", []string{"alloc", "--node", "node-01", "--container", "c 1"}, 2, "container ID"},
		{"long container id", []string{"alloc", "--node", "node-01", "--container", strings.Repeat("c", 254)}, 2, "at most 253"},
		{"bad interface", []string{"alloc", "--node", "node-01", "--container", "c9", "--ifname", "eth0/1"}, 2, "interface name"},
		{"control character in pod", []string{"alloc", "--node", "node-01", "--container", "c9", "--pod", "ns/web\x1b[31m"}, 2, "control character"},
		{"bad network on release", []string{"release", "--network", "bad net", "--container", "c1"}, 2, "network"},
		{"two ips of one family for a container", []string{"alloc", "--node", "node-01", "--container", "c9",
			"--ip", "10.244.0.50", "--ip", "10.244.0.51"}, 2, "one address per purpose and family"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, url, tc.args...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
				t.Fatalf("exit %d, stderr %q; want exit %d containing %q", r.code, r.stderr, tc.code, tc.want)
			}
			if got := heldBy(t, url); !slices.Equal(got, before) {
				t.Fatalf("the table changed: %v, want %v", got, before)
			}
		})
	}
	// The CLI's own attachment is released by its own key; rack-net's stays.
	mustRun(t, url, "release", "--container", "c1")
	got := heldBy(t, url)
	if len(got) != 2 || !strings.HasPrefix(got[0], "rack-net/c1/eth0@node-01") {
		t.Fatalf("after releasing the CLI's c1: %v, want rack-net's two addresses", got)
	}
	mustRun(t, url, "release", "--network", "rack-net", "--container", "c1", "--node", "node-01")
	if got := heldBy(t, url); len(got) != 0 {
		t.Fatalf("after releasing rack-net's c1 on node-01: %v", got)
	}
	// A node may hold several static addresses of one family.
	mustRun(t, url, "alloc", "--node", "node-01", "--ip", "10.244.0.50", "--ip", "10.244.0.51")
}

// TestCNIOneAddressPerPurposeAndFamily: several static addresses for one
// purpose and family of an attachment are a configuration error (code 7),
// not "attempts lost to concurrent allocators" (code 11, retried forever).
func TestCNIOneAddressPerPurposeAndFamily(t *testing.T) {
	t.Parallel()
	url, _ := seeded(t)
	conf := netConf("1.1.0", url, `"node": "node-01"`, `"runtimeConfig": {"ips": ["10.244.0.50/22", "10.244.0.51/22"]}`)
	e := cniFail(t, cniCall{command: "ADD", container: "s1", conf: conf})
	if e.Code != 7 || !strings.Contains(e.Msg, "one address per purpose and family") {
		t.Fatalf("two IPv4 default addresses: %+v, want code 7", e)
	}
	if e.CNIVersion != "1.1.0" || !strings.Contains(e.Details, "node node-01") {
		t.Fatalf("error result %+v: want cniVersion 1.1.0 and details naming the node", e)
	}
	long := "K8S_POD_NAMESPACE=ns;K8S_POD_NAME=" + strings.Repeat("p", 300)
	if e := cniFail(t, cniCall{command: "ADD", container: "s2", args: long, conf: netConf("1.1.0", url, `"node": "node-01"`)}); e.Code != 7 ||
		!strings.Contains(e.Msg, "pod name is 300 characters long") {
		t.Fatalf("a 300-character pod name: %+v, want code 7", e)
	}
	if got := heldBy(t, url); len(got) != 0 {
		t.Fatalf("refused ADDs recorded %v", got)
	}
	var raw map[string]any
	r := runPlugin(t, binary, cniCall{command: "ADD", container: "s1", conf: conf})
	if err := json.Unmarshal([]byte(r.stdout), &raw); err != nil || raw["cniVersion"] != "1.1.0" || raw["details"] == nil {
		t.Fatalf("error result %q is not the spec's shape", r.stdout)
	}
}
