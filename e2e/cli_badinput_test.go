package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const goodTopology = `topology:
  zones:
    - id: zone-x
      cidr: "10.250.0.0/16"
      pods:
        - id: pod-x
          cidr: "10.250.0.0/20"
          tors:
            - id: tor-x
              subnets:
                - cidr: "10.250.0.0/24"
                  purpose: default
`

// TestBadInputLeavesDataUnchanged feeds netipam bad input of every kind and
// checks each gets a clear one-line error, the right non-zero exit status,
// and leaves the database exactly as it was.
func TestBadInputLeavesDataUnchanged(t *testing.T) {
	t.Parallel()
	url, path := seeded(t)
	mustRun(t, url, "alloc", "--node", "node-01", "--ip", "10.244.0.50")
	file := func(content string) string {
		p := filepath.Join(t.TempDir(), "input.yaml")
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	replace := func(old, new string) string { return strings.Replace(goodTopology, old, new, 1) }
	cases := []struct {
		name string
		args []string
		code int
		want string // in stderr
	}{
		{"malformed yaml", []string{"topo", "import", file("topology: [zones: {")}, 2, "input.yaml:1"},
		{"unknown key", []string{"topo", "import", file(replace("purpose: default", "purpose: default\n                  vlan: 7"))}, 2, "vlan"},
		{"host bits set", []string{"topo", "import", file(replace("10.250.0.0/24", "10.250.0.1/24"))}, 2, "input.yaml:11"},
		{"pod outside zone", []string{"topo", "import", file(replace("10.250.0.0/20", "10.251.0.0/20"))}, 2, "input.yaml:7"},
		{"subnet outside pod", []string{"topo", "import", file(replace("10.250.0.0/24", "10.250.16.0/24"))}, 2, "input.yaml:11"},
		{"duplicate id", []string{"topo", "import", file(replace("id: pod-x", "id: zone-x"))}, 2, "zone-x"},
		{"overlapping siblings", []string{"topo", "import", file(goodTopology +
			"                - cidr: \"10.250.0.128/25\"\n                  purpose: storage\n")}, 2, "overlap"},
		{"overlaps a stored subnet", []string{"topo", "import", file(strings.ReplaceAll(replace("10.250.0.0/24", "10.244.1.0/24"),
			"10.250.0.0/", "10.244.0.0/"))}, 2, "10.244.0.0/22"},
		{"ipv6 gateway on ipv4 subnet", []string{"topo", "import", file(replace("purpose: default", "purpose: default\n                  gateway: \"fd00::1\""))}, 2, "gateway"},
		{"ipv6 subnet too large", []string{"topo", "import", file(replace("10.250.0.0/24", "fd00:250::/48"))}, 2, "/64"},
		{"empty purpose", []string{"topo", "import", file(replace("purpose: default", "purpose: \"\""))}, 2, "purpose"},
		{"missing file", []string{"topo", "import", "/nonexistent/topology.yaml"}, 2, "no such file"},
		{"node file unknown tor", []string{"node", "import", file("nodes:\n  - id: node-99\n    tor_id: tor-99\n")}, 3, "input.yaml:3: nodes[0].tor_id"},
		{"node file malformed", []string{"node", "import", file("nodes:\n  - id: [1\n")}, 2, "input.yaml"},
		{"node register unknown tor", []string{"node", "register", "--id", "node-99", "--tor", "tor-99"}, 3, "tor-99"},
		{"node register bad label", []string{"node", "register", "--id", "node-99", "--tor", "tor-1", "--label", "norack"}, 2, "--label"},
		{"alloc unknown node", []string{"alloc", "--node", "node-99"}, 3, "node-99 is not registered"},
		{"alloc missing node flag", []string{"alloc", "--purpose", "storage"}, 2, "node"},
		{"alloc purpose tor lacks", []string{"alloc", "--node", "node-06", "--purpose", "management"}, 2, "has no management subnet"},
		{"alloc ip of another tor", []string{"alloc", "--node", "node-01", "--ip", "10.244.8.9"}, 2, "not in a [default] subnet of TOR tor-1"},
		{"alloc ip already held", []string{"alloc", "--node", "node-01", "--ip", "10.244.0.50"}, 4, "already allocated"},
		{"alloc gateway", []string{"alloc", "--node", "node-01", "--ip", "10.244.0.1"}, 2, "reserved"},
		{"alloc ipv6 asked as ipv4 family", []string{"alloc", "--node", "node-01", "--family", "4", "--ip", "fd00:10:244:1::9"}, 2, "not in a [default] subnet"},
		{"alloc bad family", []string{"alloc", "--node", "node-01", "--family", "5"}, 2, "--family"},
		{"alloc not an ip", []string{"alloc", "--node", "node-01", "--ip", "10.244.0.300"}, 2, "not an IP address"},
		{"unknown flag", []string{"alloc", "--node", "node-01", "--colour", "red"}, 2, "unknown flag"},
		{"unknown command", []string{"allocate"}, 2, "unknown command"},
		{"release not held", []string{"release", "--ip", "10.244.0.77"}, 3, "nothing released"},
		{"release two selectors", []string{"release", "--ip", "10.244.0.50", "--node", "node-01"}, 2, "exactly one"},
		{"subnet add overlapping", []string{"subnet", "add", "--tor", "tor-1", "--cidr", "10.244.4.128/25"}, 4, "overlaps stored subnet 10.244.4.0/24"},
		{"subnet add host bits", []string{"subnet", "add", "--tor", "tor-1", "--cidr", "10.244.6.1/24"}, 2, "10.244.6.0/24"},
		{"subnet add unknown tor", []string{"subnet", "add", "--tor", "tor-99", "--cidr", "10.244.6.0/24"}, 3, "tor-99"},
		{"subnet add outside pod", []string{"subnet", "add", "--tor", "tor-1", "--cidr", "10.99.0.0/24"}, 4, "pod"},
		{"bad output format", []string{"usage", "-o", "yaml"}, 2, "--output"},
		{"sql delete", []string{"sql", "DELETE FROM allocations"}, 2, "read-only"},
		{"sql drop table", []string{"sql", "DROP TABLE events"}, 2, "read-only"},
		{"sql write hidden in a cte", []string{"sql", "WITH x AS (SELECT 1) INSERT INTO zones (id, created_at) SELECT 'z', 'now' FROM x"}, 2, "read-only"},
		{"sql unknown table", []string{"sql", "SELECT * FROM nope"}, 2, "no such table"},
		{"history without selector", []string{"history"}, 2, "exactly one"},
		{"bad store scheme", []string{"--store", "postgres://x", "usage"}, 2, "unknown scheme"},
		// Every input is bounded, with the API's rules (TestServeBadRequests).
		{"alloc count too large", []string{"alloc", "--node", "node-01", "--count", "200000"}, 2, "--count 200000"},
		{"alloc count negative", []string{"alloc", "--node", "node-01", "--count", "-5"}, 2, "--count -5"},
		{"alloc count times purposes", []string{"alloc", "--node", "node-01", "--count", "40000", "--purpose", "default,storage"}, 2, "count 40000 for 2 purposes"},
		{"alloc purpose twice", []string{"alloc", "--node", "node-01", "--purpose", "default", "--purpose", "default"}, 2, `purpose "default" is given twice`},
		{"alloc ip twice", []string{"alloc", "--node", "node-01", "--ip", "10.244.0.9,10.244.0.9"}, 2, "ip 10.244.0.9 is given twice"},
		{"alloc too many ips", append([]string{"alloc", "--node", "node-01"}, ipFlags(10001)...), 2, "ips: 10001 entries, at most 10000"},
		{"release too many ips", append([]string{"release"}, ipFlags(40000)...), 2, "--ip: 40000 entries, at most 10000"},
		{"release container over-long", []string{"release", "--container", strings.Repeat("c", 300)}, 2, "container"},
		{"forecast threshold NaN", []string{"report", "forecast", "--threshold", "NaN"}, 2, "threshold NaN"},
		{"forecast threshold Inf", []string{"report", "forecast", "--threshold", "+Inf"}, 2, "threshold +Inf"},
		{"forecast threshold above 1", []string{"report", "forecast", "--threshold", "2"}, 2, "threshold 2"},
		{"token file over 4 KiB", []string{"--server", "unix:///nonexistent/netipam.sock", "--token-file", file(strings.Repeat("t", 5000)), "usage"}, 2, "over 4096 bytes"},
		{"serve token file over 4 KiB", []string{"serve", "--listen", "tcp://127.0.0.1:1", "--token-file", file(strings.Repeat("t", 5000))}, 2, "over 4096 bytes"},
		{"serve max-conns zero", []string{"serve", "--listen", "unix:///nonexistent/netipam.sock", "--max-conns", "0"}, 2, "--max-conns 0"},
	}
	before := dump(t, path)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := run(t, url, c.args...)
			if r.code != c.code {
				t.Errorf("exit %d, want %d; stderr: %s", r.code, c.code, r.stderr)
			}
			if !strings.Contains(r.stderr, c.want) {
				t.Errorf("stderr %q does not mention %q", r.stderr, c.want)
			}
			if !strings.HasPrefix(r.stderr, "netipam: ") {
				t.Errorf("stderr %q: want an error line starting \"netipam: \"", r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout on error: %q", r.stdout)
			}
			if after := dump(t, path); after != before {
				t.Errorf("the database changed")
			}
		})
	}
}

// ipFlags gives n distinct IPv4 addresses as --ip flags, 1000 to a flag
// (one argument may not exceed 128 KiB).
func ipFlags(n int) []string {
	var args, chunk []string
	for i := range n {
		chunk = append(chunk, fmt.Sprintf("10.%d.%d.%d", 100+i>>16, i>>8&0xff, i&0xff))
		if len(chunk) == 1000 || i == n-1 {
			args = append(args, "--ip", strings.Join(chunk, ","))
			chunk = chunk[:0]
		}
	}
	return args
}

// TestUnusableDatabaseFile checks a corrupted file and a file the process
// may not write get a clear error, exit 7, and are left as they were.
func TestUnusableDatabaseFile(t *testing.T) {
	t.Parallel()
	t.Run("corrupted", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "netipam.db")
		garbage := []byte(strings.Repeat("this is not a sqlite database\n", 200))
		if err := os.WriteFile(path, garbage, 0o644); err != nil {
			t.Fatal(err)
		}
		r := run(t, "sqlite://"+path, "alloc", "--node", "node-01")
		if r.code != 7 || !strings.Contains(r.stderr, "not a database") {
			t.Fatalf("exit %d, stderr %q: want 7 and 'not a database'", r.code, r.stderr)
		}
		if got, _ := os.ReadFile(path); string(got) != string(garbage) {
			t.Fatal("the corrupted file was modified")
		}
	})
	t.Run("damaged page", func(t *testing.T) {
		url, path := seeded(t)
		mustRun(t, url, "topo", "show") // checkpoint nothing pending
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		copy(b[0:16], "SQLite format 2\x00") // a damaged header
		os.Remove(path + "-wal")
		os.Remove(path + "-shm")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		r := run(t, url, "alloc", "--node", "node-01")
		if r.code != 7 {
			t.Fatalf("exit %d, stderr %q: want 7", r.code, r.stderr)
		}
	})
}
