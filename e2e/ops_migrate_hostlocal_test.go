package e2e

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hostLocalLeases runs the real host-local plugin's ADD for n containers
// (ctr-1 ... ctr-n, interface eth0) of network hlnet, with one range inside
// tor-1's management subnet (10.244.5.0/26) and one outside every subnet,
// and returns its data directory of the network.
func hostLocalLeases(t *testing.T, n int) string {
	t.Helper()
	bin := filepath.Join(cniPluginDir(t, "host-local"), "host-local")
	dataDir := filepath.Join(t.TempDir(), "networks")
	conf := fmt.Sprintf(`{"cniVersion": "1.0.0", "name": "hlnet", "type": "bridge",
		"ipam": {"type": "host-local", "dataDir": %q,
			"ranges": [[{"subnet": "10.244.5.0/26"}], [{"subnet": "192.168.77.0/24"}]]}}`, dataDir)
	for i := 1; i <= n; i++ {
		r := runPlugin(t, bin, cniCall{command: "ADD", container: fmt.Sprintf("ctr-%d", i), conf: conf})
		if r.code != 0 {
			t.Fatalf("host-local ADD ctr-%d: exit %d\n%s%s", i, r.code, r.stdout, r.stderr)
		}
	}
	return filepath.Join(dataDir, "hlnet")
}

// TestMigrateHostLocal takes over the leases the real host-local plugin
// wrote: those in the node's TOR subnets become allocations of the network,
// the others are reported; a second run changes nothing; netipam's own CNI
// ADDs then fill the subnet without ever returning a migrated address, and
// a CNI DEL of a migrated container releases its address.
func TestMigrateHostLocal(t *testing.T) {
	t.Parallel()
	url, path := seeded(t)
	withoutExpansion(t, url) // "fill the subnet": the TOR must not grow
	dir := hostLocalLeases(t, 20)
	migrated := map[string]bool{}
	for i := 2; i <= 21; i++ { // host-local skips its gateway, .1
		migrated[fmt.Sprintf("10.244.5.%d", i)] = true
	}
	args := []string{"migrate", "host-local", "--data-dir", dir, "--network", "hlnet", "--node", "node-01"}
	before := dump(t, path)
	r := run(t, url, append(args, "--dry-run")...)
	if r.code != 0 || !strings.Contains(r.stdout, "20 would import, 0 already imported, 20 skipped") {
		t.Fatalf("dry run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if after := dump(t, path); after != before {
		t.Fatalf("dry run changed the store:\n%s", changedLines(before, after))
	}
	r = run(t, url, append(args, "-o", "json")...)
	if r.code != 0 {
		t.Fatalf("migrate: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var rep struct {
		Imported, Skipped []struct{ Address, Container, Reason string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Imported) != 20 || len(rep.Skipped) != 20 {
		t.Fatalf("imported %d, skipped %d: want 20 and 20\n%s", len(rep.Imported), len(rep.Skipped), r.stdout)
	}
	for _, s := range rep.Skipped {
		if !strings.HasPrefix(s.Address, "192.168.77.") || !strings.Contains(s.Reason, "outside the subnets of tor tor-1") {
			t.Errorf("skipped %+v", s)
		}
		if !strings.Contains(r.stderr, "skipped "+s.Address+" (container "+s.Container+", eth0): outside") {
			t.Errorf("stderr does not report %s:\n%s", s.Address, r.stderr)
		}
	}
	rows := heldBy(t, url)
	if len(rows) != 20 {
		t.Fatalf("want 20 allocations, got %d: %v", len(rows), rows)
	}
	for _, row := range rows {
		owner, addr, _ := strings.Cut(row, " ")
		if !migrated[addr] || !strings.HasPrefix(owner, "hlnet/ctr-") || !strings.HasSuffix(owner, "/eth0@node-01") {
			t.Errorf("allocation %q", row)
		}
	}
	if out := mustRun(t, url, "sql", "SELECT COUNT(*) FROM events WHERE kind = 'allocate' AND network = 'hlnet'"); !strings.Contains(out, "\n20\n") {
		t.Errorf("want 20 allocate events:\n%s", out)
	}

	before = dump(t, path)
	r = run(t, url, args...)
	if r.code != 0 || !strings.Contains(r.stdout, "0 imported, 20 already imported, 20 skipped") {
		t.Fatalf("second run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if after := dump(t, path); after != before {
		t.Fatalf("second run changed the store:\n%s", changedLines(before, after))
	}

	// netipam's CNI ADDs on the node take every other usable address of
	// 10.244.5.0/26 (.22 to .62: 41; .1 is the gateway), never a migrated
	// one, and then find it full.
	conf := netConfNamed("hlnet", "1.0.0", url, `"node": "node-01", "purposes": ["management"]`)
	got := map[string]bool{}
	for i := range 41 {
		var res struct{ IPs []struct{ Address string } }
		if err := json.Unmarshal([]byte(cniOK(t, cniCall{command: "ADD", container: fmt.Sprintf("new-%d", i), conf: conf})), &res); err != nil {
			t.Fatal(err)
		}
		if len(res.IPs) != 1 {
			t.Fatalf("ADD new-%d: %+v", i, res)
		}
		p, err := netip.ParsePrefix(res.IPs[0].Address)
		if err != nil {
			t.Fatal(err)
		}
		a := p.Addr().String()
		if migrated[a] || got[a] {
			t.Fatalf("ADD new-%d returned %s, held already", i, a)
		}
		got[a] = true
	}
	if e := cniFail(t, cniCall{command: "ADD", container: "new-full", conf: conf}); !strings.Contains(e.Msg, "no free IPv4 management address") {
		t.Errorf("ADD on a full subnet: %+v", e)
	}
	// The migrated attachment is netipam's now: its DEL releases it.
	cniOK(t, cniCall{command: "DEL", container: "ctr-3", conf: conf})
	for _, row := range heldBy(t, url) {
		if strings.HasPrefix(row, "hlnet/ctr-3/") {
			t.Errorf("DEL ctr-3 left %s", row)
		}
	}
}

// TestMigrateHostLocalBadInput refuses bad data directories and flags, and
// conflicts, each with a clear error, the right exit status and the store
// unchanged; a legacy lease (container ID alone) is imported with the
// --legacy-ifname interface.
func TestMigrateHostLocalBadInput(t *testing.T) {
	t.Parallel()
	url, path := seeded(t)
	mustRun(t, url, "alloc", "--node", "node-02", "--ip", "10.244.1.9", "--container", "other", "--network", "hlnet")
	mustRun(t, url, "alloc", "--node", "node-01", "--ip", "10.244.1.20", "--container", "c2", "--network", "hlnet")
	leaseDir := func(files map[string]string) string {
		d := filepath.Join(t.TempDir(), "hlnet")
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, content := range files {
			if err := os.WriteFile(filepath.Join(d, name), []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		return d
	}
	good := map[string]string{"10.244.1.7": "c1\r\neth0", "lock": "", "last_reserved_ip.0": "10.244.1.7"}
	withDir := leaseDir(good)
	if err := os.Mkdir(filepath.Join(withDir, "10.244.1.8"), 0o755); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		dir   string
		extra []string
		code  int
		wants []string
	}{
		{"missing directory", "/nonexistent/hlnet", nil, 2, []string{"--data-dir /nonexistent/hlnet: no such file or directory"}},
		{"empty lease", leaseDir(map[string]string{"10.244.1.7": ""}), nil, 2, []string{"10.244.1.7 names no container"}},
		{"control characters", leaseDir(map[string]string{"10.244.1.7": "c\x1b[31m1\r\neth0"}), nil, 2, []string{`container ID "c\x1b[31m1"`}},
		{"bad interface", leaseDir(map[string]string{"10.244.1.7": "c1\r\neth0/x"}), nil, 2, []string{"interface name"}},
		{"oversized lease", leaseDir(map[string]string{"10.244.1.7": strings.Repeat("c", 5000)}), nil, 2, []string{"over 1024"}},
		{"directory named by an address", withDir, nil, 2, []string{"10.244.1.8: is not a regular file"}},
		{"unknown node", leaseDir(good), []string{"--node", "node-99"}, 3, []string{"node node-99: not registered"}},
		{"bad network", leaseDir(good), []string{"--network", "bad/net"}, 2, []string{`network "bad/net"`}},
		{"held by another attachment", leaseDir(map[string]string{"10.244.1.7": "c1\r\neth0", "10.244.1.9": "c9\r\neth0"}), nil, 4,
			[]string{"10.244.1.9 (container c9, eth0): held in netipam by hlnet/other/eth0 on node node-02"}},
		{"second address of an attachment", leaseDir(map[string]string{"10.244.1.21": "c2\r\neth0"}), nil, 4,
			[]string{"hlnet/c2/eth0 already holds 10.244.1.20, of the same purpose (default)"}},
	}
	before := dump(t, path)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"migrate", "host-local", "--data-dir", c.dir, "--network", "hlnet", "--node", "node-01"}, c.extra...)
			r := run(t, url, args...)
			if r.code != c.code {
				t.Errorf("exit %d, want %d\n%s%s", r.code, c.code, r.stdout, r.stderr)
			}
			for _, w := range c.wants {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
			if strings.ContainsRune(r.stderr, 0x1b) {
				t.Errorf("stderr echoes ESC: %q", r.stderr)
			}
			if after := dump(t, path); after != before {
				t.Errorf("changed the store:\n%s", changedLines(before, after))
			}
		})
	}
	r := run(t, url, "migrate", "host-local", "--data-dir", leaseDir(map[string]string{"10.244.1.30": "legacy-c"}),
		"--network", "hlnet", "--node", "node-01", "--legacy-ifname", "net1")
	if r.code != 0 || !strings.Contains(r.stderr, "names no interface") {
		t.Fatalf("legacy lease: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(strings.Join(heldBy(t, url), "\n"), "hlnet/legacy-c/net1@node-01 10.244.1.30") {
		t.Errorf("legacy lease not imported as net1: %v", heldBy(t, url))
	}
}

// TestMigrateHostLocalUnderServer takes over leases through `netipam serve`
// (--server; the CLI has no store): the same report, a second run and a
// conflict change nothing, and the server's CNI ADDs then never return a
// migrated address and fill the subnet exactly.
func TestMigrateHostLocalUnderServer(t *testing.T) {
	t.Parallel()
	url, path := seeded(t)
	withoutExpansion(t, url) // "fill the subnet": the TOR must not grow
	s := startServe(t, url)
	dir := hostLocalLeases(t, 20)
	args := []string{"migrate", "host-local", "--data-dir", dir, "--network", "hlnet", "--node", "node-01", "--server", "unix://" + s.sock}
	if r := run(t, "sqlite:///nonexistent/never.db", args...); r.code != 0 || !strings.Contains(r.stdout, "20 imported, 0 already imported, 20 skipped") {
		t.Fatalf("migrate through the server: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	before := dump(t, path)
	if r := run(t, "sqlite:///nonexistent/never.db", args...); r.code != 0 || !strings.Contains(r.stdout, "0 imported, 20 already imported") {
		t.Fatalf("second migrate through the server: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if after := dump(t, path); after != before {
		t.Fatalf("second migrate changed the store:\n%s", changedLines(before, after))
	}
	busy := filepath.Join(t.TempDir(), "hlnet")
	if err := os.MkdirAll(busy, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(busy, "10.244.5.3"), []byte("someone-else\r\neth0"), 0o600); err != nil {
		t.Fatal(err)
	}
	args[3] = busy
	if r := run(t, "sqlite:///nonexistent/never.db", args...); r.code != 4 || !strings.Contains(r.stderr, "held in netipam by hlnet/ctr-2/eth0") {
		t.Errorf("conflict through the server: exit %d, want 4\n%s", r.code, r.stderr)
	}
	if after := dump(t, path); after != before {
		t.Fatalf("refused migrate changed the store:\n%s", changedLines(before, after))
	}
	conf := netConfNamed("hlnet", "1.0.0", "", `"node": "node-01", "purposes": ["management"], "server": "unix://`+s.sock+`"`)
	for i := range 41 {
		var res struct{ IPs []struct{ Address string } }
		if err := json.Unmarshal([]byte(cniOK(t, cniCall{command: "ADD", container: fmt.Sprintf("new-%d", i), conf: conf})), &res); err != nil {
			t.Fatal(err)
		}
		a := netip.MustParsePrefix(res.IPs[0].Address).Addr()
		if lo, hi := netip.MustParseAddr("10.244.5.2"), netip.MustParseAddr("10.244.5.21"); !a.Less(lo) && !hi.Less(a) {
			t.Fatalf("ADD new-%d through the server returned migrated %s", i, a)
		}
	}
	if e := cniFail(t, cniCall{command: "ADD", container: "new-full", conf: conf}); !strings.Contains(e.Msg, "no free IPv4 management address") {
		t.Errorf("ADD on a full subnet: %+v", e)
	}
}
