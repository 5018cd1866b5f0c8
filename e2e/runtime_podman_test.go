package e2e

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// podmanTopology: one TOR with two IPv4 default /26s in a /20 pod, grown
// by /26 blocks past 30% use.
const podmanTopology = `topology:
  expansion:
    threshold: 0.3
    prefix_length: {ipv4: 26}
  zones:
    - id: z1
      cidrs: ["10.40.0.0/16"]
      pods:
        - id: p1
          cidrs: ["10.40.16.0/20"]
          tors:
            - id: rack
              subnets:
                - {cidr: "10.40.16.0/26", purpose: default}
                - {cidr: "10.40.16.64/26", purpose: default}
`

// TestPodman runs containers with a real runtime on networks whose IPAM is
// netipam: a bridge with isGateway (one gateway per node: the node's
// containers must share a subnet) and ptp, each with the plugin on the
// store directly and through netipam serve, 4 one after another then 12 at
// once, on a TOR that another node's addresses and these containers push
// past its expansion threshold, so that it grows during the run.
func TestPodman(t *testing.T) {
	p := newPodman(t)
	for _, plugin := range []string{"bridge", "ptp"} {
		for _, viaServer := range []bool{false, true} {
			name := plugin + "/direct"
			if viaServer {
				name = plugin + "/server"
			}
			t.Run(name, func(t *testing.T) { podmanCase(t, p, plugin, viaServer) })
		}
	}
}

func podmanCase(t *testing.T, p *podmanEnv, plugin string, viaServer bool) {
	path := filepath.Join(t.TempDir(), "netipam.db")
	url := "sqlite://" + path
	topoFile := writeFile(t, t.TempDir(), "topology.yaml", podmanTopology)
	mustRun(t, url, "topo", "import", topoFile)
	mustRun(t, url, "node", "register", "--id", "podman-host", "--tor", "rack")
	mustRun(t, url, "node", "register", "--id", "other", "--tor", "rack")
	// Another node's 30 addresses: the first /26 is the more used, and the
	// TOR is at 25%, below the threshold until the containers come.
	mustRun(t, url, "alloc", "--node", "other", "--count", "30", "--family", "4")

	ipam := fmt.Sprintf(`"store": %q, "node": "podman-host"`, url)
	if viaServer {
		s := startServe(t, url)
		ipam = fmt.Sprintf(`"server": "unix://%s", "node": "podman-host"`, s.sock)
	}
	net := p.network(plugin, ipam)

	var names []string
	start := func(name string) error {
		out, err := p.run(net, name)
		if err != nil {
			return fmt.Errorf("podman run %s on %s: %v\n%s", name, net, err, out)
		}
		return nil
	}
	for i := range 4 { // one after another
		name := fmt.Sprintf("%s-s%d", net, i)
		names = append(names, name)
		if err := start(name); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 12)
	for i := range 12 { // at once
		name := fmt.Sprintf("%s-c%d", net, i)
		names = append(names, name)
		wg.Add(1)
		go func() { defer wg.Done(); errs <- start(name) }()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	// Every container has its own address, recorded under podman's ID.
	ids := map[string]string{} // container ID -> address podman shows
	seen := map[string]string{}
	for _, name := range names {
		id := p.must("inspect", "--format", "{{.Id}}", name)
		addr := p.address(name)
		if prev, dup := seen[addr]; dup {
			t.Errorf("%s and %s both have %s", prev, name, addr)
		}
		seen[addr], ids[id] = name, addr
	}
	rows := containerRows(t, path, net)
	if len(rows) != len(names) {
		t.Errorf("%d allocations recorded for %s, want %d: %v", len(rows), net, len(names), rows)
	}
	subnets := map[string]bool{}
	for id, addr := range ids {
		r, ok := rows[id]
		if !ok || r.address != addr {
			t.Errorf("container %s has %s, the store records %+v", id, addr, r)
		}
		subnets[r.subnet] = true
	}
	if plugin == "bridge" && len(subnets) != 1 {
		t.Errorf("the node's bridge containers span subnets %v: a bridge holds one gateway", subnets)
	}
	// The TOR grew during the run, and the node's containers stayed in the
	// subnet they took first all the same.
	if _, grown := sqlScan(t, path, `SELECT cidr FROM subnets WHERE tor_id = 'rack' AND source = 'expand'`); len(grown) == 0 {
		t.Errorf("the TOR did not expand during the run: the test did not cover growth")
	}
	if plugin == "bridge" { // the first container reaches the last across the bridge
		p.must("exec", names[0], "ping", "-c", "1", "-W", "2", p.address(names[len(names)-1]))
	}

	// podman rm releases every address (the plugin's DEL).
	p.must(append([]string{"rm", "-f", "-t", "0"}, names...)...)
	if left := containerRows(t, path, net); len(left) != 0 {
		t.Errorf("after podman rm, %d allocations of %s remain: %v", len(left), net, left)
	}
	if r := run(t, url, "check"); r.code != 0 {
		t.Errorf("netipam check: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

type containerRow struct{ address, subnet string }

// containerRows reads a network's allocations by container ID.
func containerRows(t *testing.T, path, network string) map[string]containerRow {
	t.Helper()
	_, rows := sqlScan(t, path, fmt.Sprintf(`SELECT container, address, subnet FROM allocations
		WHERE network = '%s' AND container IS NOT NULL`, strings.ReplaceAll(network, "'", "")))
	out := map[string]containerRow{}
	for _, r := range rows {
		a := netip.MustParseAddr(fmt.Sprint(r[1]))
		out[fmt.Sprint(r[0])] = containerRow{a.String(), fmt.Sprint(r[2])}
	}
	return out
}
