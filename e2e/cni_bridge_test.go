package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/containernetworking/cni/libcni"
	types100 "github.com/containernetworking/cni/pkg/types/100"
)

// cniPluginDir is where `make cni-plugins` puts the reference plugins
// ($NETIPAM_CNI_PATH overrides). Without them the test fails in CI and is
// skipped elsewhere.
func cniPluginDir(t testing.TB, plugins ...string) string {
	t.Helper()
	dir := os.Getenv("NETIPAM_CNI_PATH")
	if dir == "" {
		home, _ := os.UserHomeDir()
		dir = filepath.Join(home, ".cache", "netipam", "cni", "bin")
	}
	for _, p := range plugins {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			missing(t, fmt.Sprintf("reference CNI plugin %s not in %s: run make cni-plugins", p, dir))
		}
	}
	return dir
}

// missing fails in CI (CI=true) and skips elsewhere.
func missing(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(why)
	}
	t.Skip(why)
}

// sh runs a command bounded in time and returns its combined output.
func sh(t testing.TB, name string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	return string(out), err
}

func mustSh(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := sh(t, name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

// TestCNIBridgeEndToEnd attaches two network namespaces to a bridge with the
// reference bridge plugin and netipam as its IPAM, through libcni as a
// runtime does: each gets an address of node-01's TOR (tor-1,
// 10.244.0.0/22), one reaches the other, and DEL frees both addresses.
// Traffic stays inside the test's namespaces and bridge.
func TestCNIBridgeEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: the reference CNI bridge plugin in network namespaces, as root")
	}
	if os.Geteuid() != 0 {
		missing(t, "needs root to create network namespaces and a bridge")
	}
	for _, tool := range []string{"ip", "ping"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing(t, tool+" not installed (apt-get install iproute2 iputils-ping)")
		}
	}
	plugins := cniPluginDir(t, "bridge")
	url, path := seeded(t)

	// A CNI bin dir as a node has it: the reference plugins and netipam
	// under its type name, a symlink to the binary.
	binDir := t.TempDir()
	for _, p := range []string{"bridge", "loopback"} {
		if err := os.Symlink(filepath.Join(plugins, p), filepath.Join(binDir, p)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(binary, filepath.Join(binDir, "netipam")); err != nil {
		t.Fatal(err)
	}

	var b [4]byte
	rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	bridge := "nib" + id // 11 characters: within IFNAMSIZ
	spaces := []string{"nipam-" + id + "-a", "nipam-" + id + "-b"}

	// The bridge plugin turns on forwarding for a gateway: put it back.
	sysctls := []string{"/proc/sys/net/ipv4/ip_forward", "/proc/sys/net/ipv6/conf/all/forwarding"}
	saved := map[string][]byte{}
	for _, f := range sysctls {
		if v, err := os.ReadFile(f); err == nil {
			saved[f] = v
		}
	}
	t.Cleanup(func() {
		for _, ns := range spaces {
			sh(t, "ip", "netns", "del", ns) // takes the namespace's end of each veth, and with it the host end
		}
		sh(t, "ip", "link", "del", bridge)
		for f, v := range saved {
			os.WriteFile(f, v, 0o644)
		}
	})
	for _, ns := range spaces {
		mustSh(t, "ip", "netns", "add", ns)
	}

	list, err := libcni.NetworkConfFromBytes(fmt.Appendf(nil, `{
		"cniVersion": "1.0.0", "name": "netipam-e2e-%s",
		"plugins": [{"type": "bridge", "bridge": %q, "isGateway": true, "ipMasq": false,
			"ipam": {"type": "netipam", "store": %q, "node": "node-01", "routes": [{"dst": "0.0.0.0/0"}]}}]}`,
		id, bridge, url))
	if err != nil {
		t.Fatal(err)
	}
	cfg := libcni.NewCNIConfigWithCacheDir([]string{binDir}, t.TempDir(), nil)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rt := func(ns string) *libcni.RuntimeConf {
		return &libcni.RuntimeConf{ContainerID: "e2e-" + ns, NetNS: "/var/run/netns/" + ns, IfName: "eth0",
			Args: [][2]string{{"IgnoreUnknown", "1"}, {"K8S_POD_NAMESPACE", "e2e"}, {"K8S_POD_NAME", ns}}}
	}

	tor1 := netip.MustParsePrefix("10.244.0.0/22")
	addr := map[string]netip.Addr{}
	for _, ns := range spaces {
		r, err := cfg.AddNetworkList(ctx, list, rt(ns))
		if err != nil {
			t.Fatalf("ADD %s: %v", ns, err)
		}
		res, err := types100.NewResultFromResult(r)
		if err != nil {
			t.Fatal(err)
		}
		for _, ip := range res.IPs {
			if a, _ := netip.AddrFromSlice(ip.Address.IP); a.Unmap().Is4() {
				addr[ns] = a.Unmap()
			}
		}
		if !tor1.Contains(addr[ns]) {
			t.Fatalf("%s got %v (result %v), want an address in %s", ns, addr[ns], res.IPs, tor1)
		}
		// The address is on the namespace's interface, not only in a result.
		out := mustSh(t, "ip", "-n", ns, "-4", "-o", "addr", "show", "dev", "eth0")
		if !strings.Contains(out, addr[ns].String()+"/22") {
			t.Fatalf("%s eth0 has %q, want %s/22", ns, out, addr[ns])
		}
		if err := cfg.CheckNetworkList(ctx, list, rt(ns)); err != nil {
			t.Fatalf("CHECK %s: %v", ns, err)
		}
	}
	if addr[spaces[0]] == addr[spaces[1]] {
		t.Fatalf("both namespaces got %s", addr[spaces[0]])
	}

	var out string
	for attempt := range 5 { // the first packet may race ARP and port setup
		if out, err = sh(t, "ip", "netns", "exec", spaces[0], "ping", "-c", "1", "-W", "2", addr[spaces[1]].String()); err == nil {
			break
		}
		t.Logf("ping attempt %d: %v", attempt+1, err)
		time.Sleep(200 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("%s cannot reach %s (%s): %v\n%s", spaces[0], spaces[1], addr[spaces[1]], err, out)
	}

	for _, ns := range spaces {
		if err := cfg.DelNetworkList(ctx, list, rt(ns)); err != nil {
			t.Fatalf("DEL %s: %v", ns, err)
		}
	}
	if rows := held(t, path); len(rows) != 0 {
		t.Fatalf("after DEL the store still holds %v", rows)
	}
}
