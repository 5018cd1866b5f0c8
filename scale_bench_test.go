package main

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// millionTopology adds a zone whose one TOR has sixteen /16 subnets: room for
// the million allocations of bulkLoad, on a TOR no benchmarked call uses.
const millionTopology = `topology:
  zones:
    - id: zone-big
      cidr: "10.32.0.0/12"
      pods:
        - id: pod-big
          cidr: "10.32.0.0/12"
          tors:
            - id: tor-big
              subnets:
%s`

// bulkLoad gives a seeded store one million allocations on tor-big and
// their one million "allocate" events, written straight into the SQLite
// file (every row still passes the schema's triggers and constraints).
// They belong to the benchmarked network, one container each, so that an
// ADD's owner lookup faces a million attachments of its own network.
func bulkLoad(tb testing.TB, url, path string, perSubnet int) {
	tb.Helper()
	var subnets strings.Builder
	for i := range 16 {
		fmt.Fprintf(&subnets, "                - cidr: \"10.%d.0.0/16\"\n                  purpose: default\n", 32+i)
	}
	file := writeFile(tb, "big.yaml", fmt.Sprintf(millionTopology, subnets.String()))
	mustRun(tb, url, "topo", "import", file)
	mustRun(tb, url, "node", "register", "--id", "node-big", "--tor", "tor-big")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)&_pragma=journal_mode(wal)")
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	for i := range 16 {
		// Hosts 2 .. perSubnet+1 of 10.(32+i).0.0/16: .0.0 is the network
		// address and .0.1 the gateway.
		base := (10 << 24) | ((32 + i) << 16)
		_, err := db.Exec(`WITH RECURSIVE h(n) AS (SELECT 2 UNION ALL SELECT n + 1 FROM h WHERE n < ?)
			INSERT INTO allocations (subnet, address, addr_key, family, purpose, node_id, tor_id, container, ifname,
				network, allocated_at)
			SELECT ?, printf('%d.%d.%d.%d', (? + n) >> 24, ((? + n) >> 16) & 255, ((? + n) >> 8) & 255, (? + n) & 255),
				'00000000000000000000ffff' || printf('%08x', ? + n), 4, 'default', 'node-big', 'tor-big',
				printf('bulk-%d-%d', ?, n), 'eth0', 'netipam-test', '2026-01-01T00:00:00.000000000Z'
			FROM h`, perSubnet+1, fmt.Sprintf("10.%d.0.0/16", 32+i), base, base, base, base, base, i)
		if err != nil {
			tb.Fatalf("bulk allocations in 10.%d.0.0/16: %v", 32+i, err)
		}
	}
	if _, err := db.Exec(`INSERT INTO events (at, kind, actor, address, subnet, node_id, tor_id, purpose, container,
			ifname, network) SELECT allocated_at, 'allocate', 'bulk', address, subnet, node_id, tor_id, purpose,
			container, ifname, network FROM allocations WHERE node_id = 'node-big'`); err != nil {
		tb.Fatalf("bulk events: %v", err)
	}
	if _, err := db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkScale measures the per-call latency of CNI ADD and DEL (a fresh
// plugin process per call, as a runtime starts it) and of the CLI's alloc
// and release, on a store holding the demo topology only and on the same
// store with 1,000,000 more allocations and 1,000,000 more ledger events.
// Calls alternate between the two stores, so that both see the same
// machine; the ratio large/empty of the p50s is what the issue bounds
// (at most 1.2).
//
//	go test -run '^$' -bench Scale -benchtime 100x .
func BenchmarkScale(b *testing.B) {
	const perSubnet = 62500 // x 16 subnets = 1,000,000 allocations
	b.StopTimer()
	emptyURL, _ := seeded(b)
	bigURL, bigPath := seeded(b)
	start := time.Now()
	bulkLoad(b, bigURL, bigPath, perSubnet)
	b.Logf("bulk load of %d allocations and events: %v", 16*perSubnet, time.Since(start).Round(time.Millisecond))
	if n := strings.TrimSpace(mustRun(b, bigURL, "sql", "-o", "csv", "SELECT COUNT(*) FROM allocations")); !strings.HasSuffix(n, fmt.Sprint(16*perSubnet)) {
		b.Fatalf("large store holds %q allocations", n)
	}
	// Each operation gets container names of its own; one that releases
	// first allocates, untimed, what it releases.
	cni := func(command, prefix string) func(string, int) {
		return func(url string, i int) {
			cniOK(b, cniCall{command: command, container: fmt.Sprintf("%s-%06d", prefix, i), conf: netConf("1.1.0", url, `"node": "node-01"`)})
		}
	}
	cli := func(verb, prefix string) func(string, int) {
		return func(url string, i int) {
			args := []string{verb, "--container", fmt.Sprintf("%s-%06d", prefix, i)}
			if verb == "alloc" {
				args = append(args, "--node", "node-02")
			}
			mustRun(b, url, args...)
		}
	}
	ops := []struct {
		name          string
		prepare, call func(url string, i int)
	}{
		{"cni-add", nil, cni("ADD", "add")},
		{"cni-del", cni("ADD", "del"), cni("DEL", "del")},
		{"cli-alloc", nil, cli("alloc", "alloc")},
		{"cli-release", cli("alloc", "release"), cli("release", "release")},
	}
	timed := func(o func(string, int), url string, i int) time.Duration {
		t := time.Now()
		o(url, i)
		return time.Since(t)
	}
	seq := 0 // every call of every run its own container
	for _, o := range ops {
		b.Run(o.name, func(b *testing.B) {
			var empty, large []time.Duration
			for range b.N {
				seq++
				i := seq
				if o.prepare != nil {
					o.prepare(emptyURL, i)
					o.prepare(bigURL, i)
				}
				empty = append(empty, timed(o.call, emptyURL, i))
				large = append(large, timed(o.call, bigURL, i))
			}
			slices.Sort(empty)
			slices.Sort(large)
			ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
			b.ReportMetric(ms(percentile(empty, 50)), "empty-p50-ms")
			b.ReportMetric(ms(percentile(large, 50)), "1M-p50-ms")
			b.ReportMetric(ms(percentile(large, 50))/ms(percentile(empty, 50)), "p50-ratio")
			b.ReportMetric(ms(percentile(large, 99))/ms(percentile(empty, 99)), "p99-ratio")
		})
	}
}

// writeFile writes content to a new file in a temporary directory.
func writeFile(tb testing.TB, name, content string) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}
