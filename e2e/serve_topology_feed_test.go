package e2e

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Topology changes reach a running server's pools through the ledger's
// change feed: an exclude, a gateway, a node moved to another TOR, applied
// by another process, are in force for the very next request through the
// server. And a static address another process just released is the
// server's to hand out at once.

// rackTopology is one zone, one pod, two TORs; subnet70 is tor-a's default
// subnet line (with gateway and excludes as given).
func rackTopology(subnet70 string) string {
	return `topology:
  expansion:
    max_subnets_per_tor: 1
  zones:
    - id: z
      name: z
      cidrs: ["10.70.0.0/16"]
      pods:
        - id: p
          name: p
          cidrs: ["10.70.0.0/20"]
          tors:
            - id: tor-a
              name: tor-a
              subnets:
                - ` + subnet70 + `
            - id: tor-b
              name: tor-b
              subnets:
                - {cidr: "10.70.1.0/24", purpose: "default", gateway: "10.70.1.1"}
`
}

const rackNodes = `nodes:
  - {id: n1, name: n1, tor_id: tor-a}
  - {id: n2, name: n2, tor_id: tor-a}
`

// rackStore imports rackTopology(subnet70) and rackNodes into a new store.
func rackStore(t *testing.T, subnet70 string) (url string) {
	t.Helper()
	dir := t.TempDir()
	url = "sqlite://" + filepath.Join(dir, "netipam.db")
	importTopology(t, url, rackTopology(subnet70))
	nodes := filepath.Join(dir, "nodes.yaml")
	if err := os.WriteFile(nodes, []byte(rackNodes), 0o644); err != nil {
		t.Fatal(err)
	}
	mustRun(t, url, "node", "import", nodes)
	return url
}

// importTopology imports a topology given as text (a direct store write,
// another process than the server).
func importTopology(t *testing.T, url, text string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "topology.yaml")
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	mustRun(t, url, "topo", "import", file)
}

// serverAlloc allocates through the server with the CLI and gives the
// address, failing the test on any error.
func serverAlloc(t *testing.T, url string, s *served, args ...string) netip.Addr {
	t.Helper()
	r := run(t, url, append([]string{"--server", "unix://" + s.sock, "alloc", "-o", "json"}, args...)...)
	if r.code != 0 {
		t.Fatalf("alloc %v through the server: exit %d: %s", args, r.code, r.stderr)
	}
	as, err := parseAllocs(r.stdout)
	if err != nil || len(as) != 1 {
		t.Fatalf("alloc %v through the server: %v: %s", args, err, r.stdout)
	}
	return netip.MustParseAddr(as[0].Address)
}

// TestServeFollowsNewExclude: an import adds an exclude to a subnet the
// server allocates from; the next three allocations through the server
// succeed, none inside the excluded range.
func TestServeFollowsNewExclude(t *testing.T) {
	t.Parallel()
	url := rackStore(t, `{cidr: "10.70.0.0/24", purpose: "default", gateway: "10.70.0.1"}`)
	s := startServe(t, url)
	if got := serverAlloc(t, url, s, "--node", "n1"); got != netip.MustParseAddr("10.70.0.2") {
		t.Fatalf("first allocation: %s, want 10.70.0.2", got)
	}
	importTopology(t, url, rackTopology(
		`{cidr: "10.70.0.0/24", purpose: "default", gateway: "10.70.0.1", exclude: ["10.70.0.3-10.70.0.200"]}`))
	lo, hi := netip.MustParseAddr("10.70.0.3"), netip.MustParseAddr("10.70.0.200")
	for i := range 3 {
		got := serverAlloc(t, url, s, "--node", "n1")
		if got.Compare(lo) >= 0 && got.Compare(hi) <= 0 {
			t.Fatalf("allocation %d after the import: %s, inside the excluded 10.70.0.3-10.70.0.200", i+1, got)
		}
	}
}

// TestServeStaticIPReleasedElsewhere: twenty times in a row, another
// process releases an address straight in the store and the server is
// asked for that very address with --ip: it hands it out every time.
func TestServeStaticIPReleasedElsewhere(t *testing.T) {
	t.Parallel()
	url := rackStore(t, `{cidr: "10.70.0.0/24", purpose: "default", gateway: "10.70.0.1"}`)
	s := startServe(t, url)
	mustRun(t, url, "alloc", "--node", "n1", "--ip", "10.70.0.9")
	for i := range 20 {
		mustRun(t, url, "release", "--ip", "10.70.0.9")
		r := run(t, url, "--server", "unix://"+s.sock, "alloc", "--node", "n1", "--ip", "10.70.0.9")
		if r.code != 0 {
			t.Fatalf("try %d: --ip 10.70.0.9 through the server just after its release elsewhere: exit %d: %s",
				i+1, r.code, r.stderr)
		}
	}
}

// TestServeFollowsGatewayChange: an import moves a subnet's gateway; at
// once the server hands out the old gateway as a static address, and
// refuses the new one.
func TestServeFollowsGatewayChange(t *testing.T) {
	t.Parallel()
	url := rackStore(t, `{cidr: "10.70.0.0/24", purpose: "default", gateway: "10.70.0.1"}`)
	s := startServe(t, url)
	serverAlloc(t, url, s, "--node", "n1")
	importTopology(t, url, rackTopology(`{cidr: "10.70.0.0/24", purpose: "default", gateway: "10.70.0.254"}`))
	if got := serverAlloc(t, url, s, "--node", "n1", "--ip", "10.70.0.1"); got != netip.MustParseAddr("10.70.0.1") {
		t.Fatalf("the old gateway: got %s", got)
	}
	r := run(t, url, "--server", "unix://"+s.sock, "alloc", "--node", "n1", "--ip", "10.70.0.254")
	if r.code == 0 || !strings.Contains(r.stderr, "reserved") {
		t.Fatalf("the new gateway through the server: exit %d: %s%s, want it refused as reserved", r.code, r.stdout, r.stderr)
	}
}

// TestServeFollowsNodeMove: a node without addresses is moved to another
// TOR by another process; the server's next allocation for it comes from
// the new TOR, though it had just looked the node up.
func TestServeFollowsNodeMove(t *testing.T) {
	t.Parallel()
	url := rackStore(t, `{cidr: "10.70.0.0/24", purpose: "default", gateway: "10.70.0.1"}`)
	s := startServe(t, url)
	a := serverAlloc(t, url, s, "--node", "n2", "--container", "c1")
	if !netip.MustParsePrefix("10.70.0.0/24").Contains(a) {
		t.Fatalf("n2 on tor-a got %s", a)
	}
	mustRun(t, url, "--server", "unix://"+s.sock, "release", "--ip", a.String())
	mustRun(t, url, "node", "register", "--id", "n2", "--tor", "tor-b")
	for i := range 3 {
		got := serverAlloc(t, url, s, "--node", "n2")
		if !netip.MustParsePrefix("10.70.1.0/24").Contains(got) {
			t.Fatalf("allocation %d for n2 after its move to tor-b: %s, want 10.70.1.0/24", i+1, got)
		}
	}
}

// TestServeFollowsSubnetReadded: a subnet the server has a pool of is
// removed by one import and added back by another with an exclude; the
// server's next allocations avoid the excluded range.
func TestServeFollowsSubnetReadded(t *testing.T) {
	t.Parallel()
	url := rackStore(t, `{cidr: "10.70.0.0/24", purpose: "default", gateway: "10.70.0.1"}`)
	s := startServe(t, url)
	a := serverAlloc(t, url, s, "--node", "n1")
	mustRun(t, url, "--server", "unix://"+s.sock, "release", "--ip", a.String())
	prune := func(subnet string) {
		file := filepath.Join(t.TempDir(), "topology.yaml")
		if err := os.WriteFile(file, []byte(rackTopology(subnet)), 0o644); err != nil {
			t.Fatal(err)
		}
		mustRun(t, url, "topo", "import", "--prune", file)
	}
	prune(`{cidr: "10.70.2.0/24", purpose: "default", gateway: "10.70.2.1"}`)
	prune(`{cidr: "10.70.0.0/24", purpose: "default", gateway: "10.70.0.1", exclude: ["10.70.0.2-10.70.0.250"]}`)
	for i := range 3 {
		got := serverAlloc(t, url, s, "--node", "n1")
		if !netip.MustParsePrefix("10.70.0.0/24").Contains(got) || got.As4()[3] <= 250 {
			t.Fatalf("allocation %d after the subnet came back with an exclude: %s, want 10.70.0.251-254", i+1, got)
		}
	}
}
