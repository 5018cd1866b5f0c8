package e2e

import (
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/containernetworking/cni/pkg/types"
	types100 "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/cni/pkg/version"

	"github.com/netipam/netipam/topo"
)

// parseResult reads an ADD result printed in cniVersion and converts it to
// the current result type.
func parseResult(t *testing.T, ver, out string) *types100.Result {
	t.Helper()
	r, err := version.NewResult(ver, []byte(out))
	if err != nil {
		t.Fatalf("result in %s: %v\n%s", ver, err, out)
	}
	res, err := types100.NewResultFromResult(r)
	if err != nil {
		t.Fatalf("convert %s result: %v", ver, err)
	}
	return res
}

func addrs(res *types100.Result) []string {
	var out []string
	for _, ip := range res.IPs {
		out = append(out, ip.Address.String())
	}
	return out
}

func TestCNIVersion(t *testing.T) {
	t.Parallel()
	out := cniOK(t, cniCall{command: "VERSION"})
	var v struct {
		CNIVersion        string   `json:"cniVersion"`
		SupportedVersions []string `json:"supportedVersions"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatal(err)
	}
	want := []string{"0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"}
	if !slices.Equal(v.SupportedVersions, want) {
		t.Fatalf("supported versions %v, want %v", v.SupportedVersions, want)
	}
}

// TestCNIAddResultFormats checks the result in every requested version: one
// IPv4 and one IPv6 address from node-01's TOR (tor-1) with the subnet's
// prefix length and gateway, and the configured routes with their default
// gateways.
func TestCNIAddResultFormats(t *testing.T) {
	t.Parallel()
	url, _ := seeded(t)
	ipam := `"node": "node-01", "routes": [{"dst": "0.0.0.0/0"}, {"dst": "10.96.0.0/12", "gw": "10.244.0.254"}, {"dst": "::/0"}]`
	v4 := netip.MustParsePrefix("10.244.0.0/22")
	v6 := netip.MustParsePrefix("fd00:10:244:1::/64")
	for _, ver := range []string{"0.3.1", "0.4.0", "1.0.0", "1.1.0"} {
		t.Run(ver, func(t *testing.T) {
			out := cniOK(t, cniCall{command: "ADD", container: "fmt-" + ver, conf: netConf(ver, url, ipam)})
			var raw map[string]any
			if err := json.Unmarshal([]byte(out), &raw); err != nil {
				t.Fatal(err)
			}
			if raw["cniVersion"] != ver {
				t.Errorf("cniVersion %v, want %s", raw["cniVersion"], ver)
			}
			ips, _ := raw["ips"].([]any)
			if len(ips) != 2 {
				t.Fatalf("ips %v, want one IPv4 and one IPv6", raw["ips"])
			}
			_, hasVersion := ips[0].(map[string]any)["version"]
			if old := ver < "1.0.0"; hasVersion != old {
				t.Errorf("ips[0] has a version key: %v, want %v (only before 1.0.0)", hasVersion, old)
			}
			res := parseResult(t, ver, out)
			for i, want := range []struct {
				pfx netip.Prefix
				gw  string
			}{{v4, "10.244.0.1"}, {v6, "fd00:10:244:1::1"}} {
				ip := res.IPs[i]
				a, _ := netip.AddrFromSlice(ip.Address.IP)
				ones, _ := ip.Address.Mask.Size()
				if !want.pfx.Contains(a.Unmap()) || ones != want.pfx.Bits() {
					t.Errorf("ips[%d] = %s, want an address in %s with its length", i, ip.Address.String(), want.pfx)
				}
				if ip.Gateway.String() != want.gw {
					t.Errorf("ips[%d] gateway %s, want %s", i, ip.Gateway, want.gw)
				}
			}
			var routes []string
			for _, r := range res.Routes {
				routes = append(routes, r.Dst.String()+" via "+r.GW.String())
			}
			wantRoutes := []string{"0.0.0.0/0 via 10.244.0.1", "10.96.0.0/12 via 10.244.0.254", "::/0 via fd00:10:244:1::1"}
			if !slices.Equal(routes, wantRoutes) {
				t.Errorf("routes %v, want %v", routes, wantRoutes)
			}
		})
	}
}

// TestCNIRoutesSkipFamilyWithoutAddress: tor-4 (node-06) has IPv4 only, so
// an IPv6 route is left out.
func TestCNIRoutesSkipFamilyWithoutAddress(t *testing.T) {
	t.Parallel()
	url, _ := seeded(t)
	node := torNode(t, url, "tor-4")
	out := cniOK(t, cniCall{command: "ADD", container: "v4only",
		conf: netConf("1.0.0", url, fmt.Sprintf(`"node": %q, "routes": [{"dst": "0.0.0.0/0"}, {"dst": "::/0"}]`, node))})
	res := parseResult(t, "1.0.0", out)
	if len(res.IPs) != 1 || len(res.Routes) != 1 || res.Routes[0].Dst.String() != "0.0.0.0/0" {
		t.Fatalf("ips %v routes %v: want one IPv4 address and only the IPv4 route", addrs(res), res.Routes)
	}
}

// torNode finds a registered node behind a TOR.
func torNode(t *testing.T, url, tor string) string {
	t.Helper()
	var nodes []struct {
		ID  string `json:"id"`
		TOR string `json:"tor"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, url, "node", "list", "-o", "json")), &nodes); err != nil {
		t.Fatal(err)
	}
	for _, n := range nodes {
		if n.TOR == tor {
			return n.ID
		}
	}
	t.Fatalf("no node behind %s in testdata/nodes.yaml", tor)
	return ""
}

// TestCNIAddIdempotentDelTwice: the same container and interface get the
// same addresses back; DEL frees them and a second DEL is no error.
func TestCNIAddIdempotentDelTwice(t *testing.T) {
	t.Parallel()
	url, path := seeded(t)
	conf := netConf("1.0.0", url, `"node": "node-01", "purposes": ["default", "storage"]`)
	args := "IgnoreUnknown=1;K8S_POD_NAMESPACE=shop;K8S_POD_NAME=web-0;K8S_POD_UID=u1"
	first := addrs(parseResult(t, "1.0.0", cniOK(t, cniCall{command: "ADD", container: "c1", args: args, conf: conf})))
	again := addrs(parseResult(t, "1.0.0", cniOK(t, cniCall{command: "ADD", container: "c1", args: args, conf: conf})))
	if len(first) != 3 || !slices.Equal(first, again) {
		t.Fatalf("first ADD %v, second %v: want the same 3 addresses (default v4+v6, storage v4)", first, again)
	}
	rows := held(t, path)
	if len(rows) != 3 {
		t.Fatalf("table holds %v, want 3 rows", rows)
	}
	for _, h := range rows {
		if h.container != "c1" || h.ifname != "eth0" || h.node != "node-01" || h.podNS != "shop" || h.podName != "web-0" {
			t.Errorf("row %+v: want c1/eth0 on node-01 for pod shop/web-0", h)
		}
	}
	other := addrs(parseResult(t, "1.0.0", cniOK(t, cniCall{command: "ADD", container: "c1", ifname: "net1", conf: conf})))
	if slices.ContainsFunc(other, func(a string) bool { return slices.Contains(first, a) }) {
		t.Fatalf("c1/net1 got %v, overlapping c1/eth0's %v", other, first)
	}
	for range 2 {
		cniOK(t, cniCall{command: "DEL", container: "c1", conf: conf})
	}
	if got := owners(held(t, path)); len(got) != 1 || len(got["c1/net1"]) != 3 {
		t.Fatalf("after DEL c1/eth0 the table holds %v, want only c1/net1", got)
	}
	cniOK(t, cniCall{command: "DEL", container: "never-added", conf: conf})
}

// TestCNIStaticIPs: runtimeConfig.ips and args.cni.ips ask for specific
// addresses (with or without a prefix length); the other family is
// allocated as usual.
func TestCNIStaticIPs(t *testing.T) {
	t.Parallel()
	url, _ := seeded(t)
	for _, tc := range []struct{ name, top, want string }{
		{"runtimeConfig", `"runtimeConfig": {"ips": ["10.244.0.50/22"]}`, "10.244.0.50/22"},
		{"args", `"args": {"cni": {"ips": ["10.244.0.51"]}}`, "10.244.0.51/22"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := cniOK(t, cniCall{command: "ADD", container: "static-" + tc.name,
				conf: netConf("1.0.0", url, `"node": "node-01"`, tc.top)})
			got := addrs(parseResult(t, "1.0.0", out))
			if len(got) != 2 || got[0] != tc.want || !strings.HasPrefix(got[1], "fd00:10:244:1::") {
				t.Fatalf("got %v, want %s and an IPv6 address", got, tc.want)
			}
		})
	}
	e := cniFail(t, cniCall{command: "ADD", container: "static-taken",
		conf: netConf("1.0.0", url, `"node": "node-01"`, `"runtimeConfig": {"ips": ["10.244.0.50/22"]}`)})
	if e.Code != 999 || !strings.Contains(e.Msg, "10.244.0.50") || !strings.Contains(e.Msg, "already allocated") {
		t.Fatalf("static IP held by another container: %+v, want code 999 naming the address", e)
	}
}

// TestCNIErrors: every failure is one CNI error object with the right code
// and a message that names the cause.
func TestCNIErrors(t *testing.T) {
	t.Parallel()
	url, path := seeded(t)
	bigToken := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(bigToken, []byte(strings.Repeat("t", 5000)), 0o600); err != nil {
		t.Fatal(err)
	}
	keep := make([]string, topo.MaxAttachments+1)
	for i := range keep {
		keep[i] = fmt.Sprintf(`{"containerID": "c%d", "ifname": "eth0"}`, i)
	}
	before := dump(t, path)
	for _, tc := range []struct {
		name, conf string
		code       uint
		msg        string
	}{
		{"unknown ipam key", netConf("1.0.0", url, `"node": "node-01", "purpose": ["default"]`), 7, `unknown key "purpose"`},
		{"unknown route key", netConf("1.0.0", url, `"node": "node-01", "routes": [{"dst": "0.0.0.0/0", "via": "x"}]`), 7, `unknown key "via"`},
		{"bad server URL", netConf("1.0.0", url, `"node": "node-01", "server": "ftp://ipam:21"`), 7, "ipam.server"},
		{"bad route", netConf("1.0.0", url, `"node": "node-01", "routes": [{"dst": "default"}]`), 7, `ipam.routes[0]: dst "default"`},
		{"bad static ip", netConf("1.0.0", url, `"node": "node-01"`, `"runtimeConfig": {"ips": ["10.244.0.x"]}`), 7, "runtimeConfig.ips[0]"},
		{"duplicate purpose", netConf("1.0.0", url, `"node": "node-01", "purposes": ["default", "default"]`), 7, "listed twice"},
		{"no ipam", `{"cniVersion": "1.0.0", "name": "n", "type": "bridge"}`, 7, `no "ipam" section`},
		{"unregistered node", netConf("1.0.0", url, `"node": "node-99"`), 7,
			"node node-99 is not registered: register it with `netipam node register --id node-99"},
		{"purpose missing on TOR", netConf("1.0.0", url, `"node": "node-03", "purposes": ["management"]`), 7,
			"TOR tor-2 (node node-03) has no management subnet"},
		{"static ip outside TOR", netConf("1.0.0", url, `"node": "node-01"`, `"args": {"cni": {"ips": ["10.244.8.9"]}}`), 7,
			"10.244.8.9 is not in a [default] subnet of TOR tor-1"},
		{"unsupported version", netConf("0.2.0", url, `"node": "node-01"`), 1, "incompatible CNI versions"},
		// The ipam section is netipam's: no key twice, none in another case.
		{"ipam key twice", netConf("1.0.0", url, `"node": "node-01", "node": "node-02"`), 7, `key "node" is given twice in ipam`},
		{"ipam key case variant", netConf("1.0.0", url, `"Node": "node-01"`), 7, `ipam: key "Node" at the top level: write it "node"`},
		{"ipam route key case variant", netConf("1.0.0", url, `"node": "node-01", "routes": [{"Dst": "0.0.0.0/0"}]`), 7, `key "Dst" in routes[0]: write it "dst"`},
		{"ipam section twice", netConf("1.0.0", url, `"node": "node-01"`, `"ipam": {"type": "netipam"}`), 7, `key "ipam" is given twice`},
		{"name case variant", netConf("1.0.0", url, `"node": "node-01"`, `"Name": "other"`), 7, `write it "name"`},
		{"too many valid attachments", netConf("1.0.0", url, `"node": "node-01"`, `"cni.dev/valid-attachments": [`+strings.Join(keep, ",")+`]`), 7,
			"cni.dev/valid-attachments: 10001 entries, at most 10000"},
		{"token file over 4 KiB", netConf("1.0.0", url, `"node": "node-01", "server": "unix:///nonexistent/netipam.sock", "token_file": "`+bigToken+`"`), 7,
			"ipam.token_file: token file " + bigToken + " is over 4096 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := cniFail(t, cniCall{command: "ADD", container: "err", conf: tc.conf})
			if e.Code != tc.code || !strings.Contains(e.Msg, tc.msg) {
				t.Fatalf("got code %d %q, want code %d containing %q", e.Code, e.Msg, tc.code, tc.msg)
			}
		})
	}
	if after := dump(t, path); after != before {
		t.Errorf("failed calls changed the store")
	}
	// Other plugins' keys are theirs: netipam does not judge them.
	cniOK(t, cniCall{command: "ADD", container: "foreign", conf: netConf("1.0.0", url, `"node": "node-01"`,
		`"bandwidth": {"rate": 1, "rate": 2}`, `"runtimeConfig": {"portMappings": [], "portMappings": [], "ips": []}`)})
}

// TestCNIExhausted: a full TOR answers 999 with the TOR and the count.
func TestCNIExhausted(t *testing.T) {
	t.Parallel()
	url, _ := seeded(t)
	withoutExpansion(t, url)
	mustRun(t, url, "alloc", "--node", "node-01", "--purpose", "management", "--family", "4", "--count", "61")
	e := cniFail(t, cniCall{command: "ADD", container: "full", conf: netConf("1.0.0", url, `"node": "node-01", "purposes": ["management"]`)})
	if e.Code != 999 || !strings.Contains(e.Msg, "TOR tor-1 has no free IPv4 management address") {
		t.Fatalf("got %+v, want code 999 naming the full TOR", e)
	}
}

// TestCNICheck: CHECK passes when prevResult's addresses are recorded for
// the container interface and fails, naming the address, when not.
func TestCNICheck(t *testing.T) {
	t.Parallel()
	url, _ := seeded(t)
	conf := netConf("1.0.0", url, `"node": "node-01"`)
	out := cniOK(t, cniCall{command: "ADD", container: "chk", conf: conf})
	withPrev := func(prev string) string {
		return netConf("1.0.0", url, `"node": "node-01"`, `"prevResult": `+prev)
	}
	cniOK(t, cniCall{command: "CHECK", container: "chk", conf: withPrev(out)})

	res := parseResult(t, "1.0.0", out)
	res.IPs[0].Address.IP = net.ParseIP("10.244.0.200").To4()
	forged, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	e := cniFail(t, cniCall{command: "CHECK", container: "chk", conf: withPrev(string(forged))})
	if e.Code != 999 || !strings.Contains(e.Msg, "10.244.0.200 in prevResult is not recorded for attachment netipam-test/chk/eth0 on node node-01") {
		t.Fatalf("forged prevResult: %+v", e)
	}
	e = cniFail(t, cniCall{command: "CHECK", container: "chk", ifname: "eth1", conf: withPrev(out)})
	if e.Code != 999 || !strings.Contains(e.Msg, "the store holds nothing for it") {
		t.Fatalf("other interface: %+v", e)
	}
	e = cniFail(t, cniCall{command: "CHECK", container: "chk", conf: conf})
	if e.Code != 7 || !strings.Contains(e.Msg, "CHECK needs prevResult") {
		t.Fatalf("no prevResult: %+v", e)
	}
	cniOK(t, cniCall{command: "DEL", container: "chk", conf: conf})
	if e := cniFail(t, cniCall{command: "CHECK", container: "chk", conf: withPrev(out)}); e.Code != 999 {
		t.Fatalf("CHECK after DEL: %+v", e)
	}
}

// TestCNIGC releases exactly this node's container attachments that are not
// valid: other nodes' attachments and addresses held by no container stay.
func TestCNIGC(t *testing.T) {
	t.Parallel()
	url, path := seeded(t)
	conf01 := netConf("1.1.0", url, `"node": "node-01"`)
	for _, c := range []cniCall{
		{container: "keep", ifname: "eth0"}, {container: "keep", ifname: "net1"},
		{container: "stale", ifname: "eth0"}, {container: "stale2", ifname: "eth0"},
	} {
		c.command, c.conf = "ADD", conf01
		cniOK(t, c)
	}
	cniOK(t, cniCall{command: "ADD", container: "elsewhere", conf: netConf("1.1.0", url, `"node": "node-02"`)})
	mustRun(t, url, "alloc", "--node", "node-01", "--family", "4")

	valid := []types.GCAttachment{{ContainerID: "keep", IfName: "eth0"}, {ContainerID: "keep", IfName: "net1"},
		{ContainerID: "gone-already", IfName: "eth0"}}
	v, _ := json.Marshal(valid)
	cniOK(t, cniCall{command: "GC", conf: netConf("1.1.0", url, `"node": "node-01"`, `"cni.dev/valid-attachments": `+string(v))})

	got := owners(held(t, path))
	var keys []string
	for k := range got {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"/", "elsewhere/eth0", "keep/eth0", "keep/net1"}
	if !slices.Equal(keys, want) {
		t.Fatalf("after GC the table holds %v, want %v", keys, want)
	}
	if len(got["keep/eth0"]) != 2 || len(got["/"]) != 1 {
		t.Fatalf("after GC: %v", got)
	}
	// No valid attachments at all: every container attachment of the node goes.
	cniOK(t, cniCall{command: "GC", conf: conf01})
	if keys := owners(held(t, path)); len(keys) != 2 || keys["/"] == nil || keys["elsewhere/eth0"] == nil {
		t.Fatalf("after GC with no valid attachments: %v", keys)
	}
}

// TestCNIStatus: STATUS passes when an ADD could succeed and answers 50,
// naming the cause, when the node cannot get an address. It allocates
// nothing.
func TestCNIStatus(t *testing.T) {
	t.Parallel()
	url, path := seeded(t)
	withoutExpansion(t, url)
	status := func(ipam string) (cniError, bool) {
		r := runPlugin(t, binary, cniCall{command: "STATUS", conf: netConf("1.1.0", url, ipam)})
		if r.code == 0 {
			if r.stdout != "" {
				t.Fatalf("STATUS printed %q", r.stdout)
			}
			return cniError{}, true
		}
		var e cniError
		if err := json.Unmarshal([]byte(r.stdout), &e); err != nil {
			t.Fatalf("STATUS stdout %q: %v", r.stdout, err)
		}
		return e, false
	}
	if e, ok := status(`"node": "node-01", "purposes": ["default", "storage", "management"]`); !ok {
		t.Fatalf("healthy node: %+v", e)
	}
	for _, tc := range []struct{ name, ipam, msg string }{
		{"unregistered", `"node": "node-99"`, "node node-99 is not registered"},
		{"purpose missing", `"node": "node-03", "purposes": ["management"]`, "TOR tor-2 (node node-03) has no management subnet"},
	} {
		if e, ok := status(tc.ipam); ok || e.Code != 50 || !strings.Contains(e.Msg, tc.msg) {
			t.Errorf("%s: %+v, want code 50 containing %q", tc.name, e, tc.msg)
		}
	}
	if e, ok := status(`"node": "node-01", "server": "ftp://x"`); ok || e.Code != 7 {
		t.Errorf("bad server URL: %+v, want code 7", e)
	}
	if len(held(t, path)) != 0 {
		t.Fatal("STATUS allocated")
	}
	mustRun(t, url, "alloc", "--node", "node-02", "--purpose", "management", "--family", "4", "--count", "61")
	e, ok := status(`"node": "node-01", "purposes": ["default", "management"]`)
	if ok || e.Code != 50 || !strings.Contains(e.Msg, "TOR tor-1 (node node-01) has no free IPv4 management address") {
		t.Fatalf("full TOR: %+v, want code 50", e)
	}
	if e := cniFail(t, cniCall{command: "STATUS", conf: netConf("1.0.0", url, `"node": "node-01"`)}); e.Code != 1 {
		t.Fatalf("STATUS with cniVersion 1.0.0: %+v, want code 1", e)
	}
}

// TestCNIGCKeepsOtherNetworks: a node with two netipam networks (a pod
// network and a storage network, as with Multus); GC of one, with no valid
// attachments at all, leaves the other network's addresses alone.
func TestCNIGCKeepsOtherNetworks(t *testing.T) {
	t.Parallel()
	url, path := seeded(t)
	podNet := netConf("1.1.0", url, `"node": "node-01"`)
	storageNet := strings.Replace(netConf("1.1.0", url, `"node": "node-01", "purposes": ["storage"]`),
		`"name": "netipam-test"`, `"name": "storage-net"`, 1)
	cniOK(t, cniCall{command: "ADD", container: "web", ifname: "eth0", conf: podNet})
	cniOK(t, cniCall{command: "ADD", container: "web", ifname: "net1", conf: storageNet})

	cniOK(t, cniCall{command: "GC", conf: podNet})
	got := owners(held(t, path))
	if got["web/eth0"] != nil || len(got["web/net1"]) != 1 {
		t.Fatalf("after the pod network's GC: %v, want only web/net1 (storage-net) left", got)
	}
}
