package e2e

import (
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

// checkReport is `netipam check -o json`.
type checkReport struct {
	Counts   map[string]int64 `json:"counts"`
	Problems []struct {
		Kind    string `json:"kind"`
		Message string `json:"message"`
		Objects []struct {
			Type string `json:"type"`
			ID   string `json:"id"`
		} `json:"objects"`
	} `json:"problems"`
}

// checkBase gives a demo store holding allocations on tor-1, tor-2 and
// tor-3 (tor-3's management /26 past 80%), every netipam process closed.
func checkBase(t *testing.T) (url, path string) {
	t.Helper()
	url, path = seeded(t)
	// At the seed's clock: the corruptions' raw events (rawAlloc, dated
	// 2026) come after them, as the ledger's time order requires.
	mustSeed(t, url, "alloc", "--node", "node-01", "--container", "c1")
	mustSeed(t, url, "alloc", "--node", "node-03", "--container", "c3")
	// 50 management addresses take tor-3's block past the expansion
	// threshold: it grows one block (15 subnets), which check must accept.
	mustSeed(t, url, "alloc", "--node", "node-05", "--purpose", "management", "--family", "4", "--count", "50")
	if got := mustRun(t, url, "sql", "-o", "csv", "SELECT COUNT(*) AS n FROM subnets WHERE source = 'expand'"); got != "n\n1\n" {
		t.Fatalf("expanded blocks: %q, want one", got)
	}
	return url, path
}

// copyStore copies a closed SQLite store (file and WAL, if any) into a new
// directory.
func copyStore(t *testing.T, path string) (url, dst string) {
	t.Helper()
	dst = filepath.Join(t.TempDir(), "netipam.db")
	for _, suffix := range []string{"", "-wal"} {
		in, err := os.Open(path + suffix)
		if os.IsNotExist(err) && suffix != "" {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		out, err := os.Create(dst + suffix)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(out, in); err != nil {
			t.Fatal(err)
		}
		in.Close()
		if err := out.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return "sqlite://" + dst, dst
}

// corrupt runs raw SQL on the file with foreign keys off: what it takes to
// get bad rows past the schema's guards (the statements drop the triggers
// and indexes in their way).
func corrupt(t *testing.T, path, script string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(script); err != nil {
		t.Fatalf("corrupt the store: %v\n%s", err, script)
	}
}

// key is an address's fixed-width key, as the schema stores it.
func key(addr string) string {
	b := netip.MustParseAddr(addr).As16()
	return hex.EncodeToString(b[:])
}

// rawAlloc inserts an allocation and its allocate event, as netipam
// would, but past the triggers (the caller drops them).
func rawAlloc(addr, subnet, purpose, node, tor string, family int, container string) string {
	at := "2026-01-01T00:00:00.000000000Z"
	return fmt.Sprintf(`INSERT INTO allocations (subnet, address, addr_key, family, purpose, node_id, tor_id, container,
		ifname, allocated_at) VALUES ('%[1]s', '%[2]s', '%[3]s', %[4]d, '%[5]s', '%[6]s', '%[7]s', '%[8]s', 'eth0', '%[9]s');
	INSERT INTO events (at, kind, address, subnet, node_id, tor_id, purpose, container, ifname)
		VALUES ('%[9]s', 'allocate', '%[2]s', '%[1]s', '%[6]s', '%[7]s', '%[5]s', '%[8]s', 'eth0');`,
		subnet, addr, key(addr), family, purpose, node, tor, container, at)
}

// rawSubnet inserts a subnet past the triggers (the caller drops them).
func rawSubnet(cidr, tor, purpose string) string {
	p := netip.MustParsePrefix(cidr)
	last := p.Addr()
	for n := 0; n < 1<<(32-p.Bits())-1; n++ {
		last = last.Next()
	}
	return fmt.Sprintf(`INSERT INTO subnets (cidr, family, purpose, tor_id, first_key, last_key, created_at)
		VALUES ('%s', 4, '%s', '%s', '%s', '%s', '2026-01-01T00:00:00.000000000Z');`,
		cidr, purpose, tor, key(p.Addr().String()), key(last.String()))
}

const dropAllocGuards = `DROP TRIGGER allocations_in_subnet; DROP TRIGGER allocations_not_reserved;`

// TestCheckFindsCorruption corrupts copies of one store, one way each, and
// checks that `netipam check` reports each problem with its objects and
// exits 8, and that the intact store passes with a summary line.
func TestCheckFindsCorruption(t *testing.T) {
	t.Parallel()
	_, base := checkBase(t)
	cleanURL, _ := copyStore(t, base)
	r := run(t, cleanURL, "check")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "ok: 2 zones, 3 pods, 5 TORs, 15 subnets, 8 nodes, 54 allocations, ") {
		t.Fatalf("check of the intact store: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// The holder of an address c1 got on tor-1, for the ledger cases.
	held := strings.TrimSpace(mustRun(t, cleanURL, "sql", "-o", "csv",
		"SELECT address FROM allocations WHERE container = 'c1' AND family = 4"))
	held = strings.TrimSpace(strings.TrimPrefix(held, "address"))

	fill := ""
	for _, c := range []string{"10.244.20.64/26", "10.244.20.128/25", "10.244.21.0/24", "10.244.22.0/23",
		"10.244.26.0/23", "10.244.28.0/22"} {
		// OR IGNORE: a block expansion already claimed fills its place.
		fill += strings.Replace(rawSubnet(c, "tor-4", "filler"), "INSERT INTO", "INSERT OR IGNORE INTO", 1)
	}
	cases := []struct {
		name, script string
		kind         string
		objects      []string // type=id the problem names
		also         []string // other kinds the corruption may cause
	}{
		{"outside subnet", dropAllocGuards + rawAlloc("10.244.100.1", "10.244.0.0/22", "default", "node-01", "tor-1", 4, "x"),
			"allocation-outside-subnet", []string{"allocation=10.244.100.1", "subnet=10.244.0.0/22"}, nil},
		{"network address", dropAllocGuards + rawAlloc("10.244.0.0", "10.244.0.0/22", "default", "node-01", "tor-1", 4, "x"),
			"allocation-on-network-address", []string{"allocation=10.244.0.0", "subnet=10.244.0.0/22"}, nil},
		{"broadcast address", dropAllocGuards + rawAlloc("10.244.3.255", "10.244.0.0/22", "default", "node-01", "tor-1", 4, "x"),
			"allocation-on-broadcast-address", []string{"allocation=10.244.3.255", "subnet=10.244.0.0/22"}, nil},
		{"gateway", dropAllocGuards + rawAlloc("10.244.0.1", "10.244.0.0/22", "default", "node-01", "tor-1", 4, "x"),
			"allocation-on-gateway", []string{"allocation=10.244.0.1", "subnet=10.244.0.0/22"}, nil},
		{"excluded address", dropAllocGuards + rawAlloc("10.244.0.105", "10.244.0.0/22", "default", "node-01", "tor-1", 4, "x"),
			"allocation-on-excluded-address", []string{"allocation=10.244.0.105", "subnet=10.244.0.0/22"}, nil},
		{"subnet purpose", dropAllocGuards + rawAlloc("10.244.4.9", "10.244.4.0/24", "default", "node-01", "tor-1", 4, "x"),
			"allocation-subnet-mismatch", []string{"allocation=10.244.4.9", "subnet=10.244.4.0/24"}, nil},
		{"subnet TOR", dropAllocGuards + rawAlloc("10.244.8.9", "10.244.8.0/22", "default", "node-01", "tor-1", 4, "x"),
			"allocation-subnet-mismatch", []string{"allocation=10.244.8.9", "tor=tor-1", "tor=tor-2"}, nil},
		{"node on another TOR", dropAllocGuards + rawAlloc("10.244.0.77", "10.244.0.0/22", "default", "node-03", "tor-1", 4, "x"),
			"allocation-node-on-other-tor", []string{"allocation=10.244.0.77", "node=node-03", "tor=tor-2"}, nil},
		{"duplicate address", "DROP INDEX allocations_address;" + dropAllocGuards +
			rawAlloc(held, "10.244.0.0/22", "default", "node-02", "tor-1", 4, "dup"),
			"duplicate-address", []string{"allocation=" + held, "node=node-01", "node=node-02"},
			[]string{"allocation-without-event", "event-without-change"}},
		{"subnet overlap", "DROP TRIGGER subnets_no_overlap;" + rawSubnet("10.244.0.128/25", "tor-2", "x"),
			"subnet-overlap", []string{"subnet=10.244.0.128/25", "subnet=10.244.0.0/22"}, nil},
		{"subnet outside pod", "DROP TRIGGER subnets_inside_pod;" + rawSubnet("10.244.200.0/24", "tor-1", "x"),
			"subnet-outside-pod", []string{"subnet=10.244.200.0/24", "tor=tor-1", "pod=pod-1"}, nil},
		{"node on unknown TOR", "UPDATE nodes SET tor_id = 'tor-9' WHERE id = 'node-08';",
			"node-unknown-tor", []string{"node=node-08", "tor=tor-9"}, nil},
		{"dangling pod", "DELETE FROM pods WHERE id = 'pod-3';",
			"dangling-reference", []string{"tor=tor-5", "pod=pod-3"}, nil},
		{"dangling subnet", "DELETE FROM subnets WHERE cidr = '10.244.0.0/22';",
			"dangling-reference", []string{"reservation=10.244.0.2/32", "subnet=10.244.0.0/22"}, nil},
		{"allocation without event", "DROP TRIGGER events_no_delete; DELETE FROM events WHERE address = '" + held + "';",
			"allocation-without-event", []string{"allocation=" + held}, nil},
		{"event without change", "DELETE FROM allocations WHERE address = '" + held + "';",
			"event-without-change", []string{"allocation=" + held, "node=node-01"}, nil},
		{"subnet count", "UPDATE subnet_counts SET used = used + 3 WHERE subnet = '10.244.0.0/22';",
			"subnet-count-mismatch", []string{"subnet=10.244.0.0/22"}, nil},
		// The block expansion claimed is removed, then the pod filled:
		// tor-3's management block is past the threshold with no room.
		{"threshold without room", "DELETE FROM subnets WHERE source = 'expand';" + fill,
			"threshold-no-room", []string{"tor=tor-3", "pod=pod-2", "purpose=management"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			url, path := copyStore(t, base)
			corrupt(t, path, tc.script)
			before := dump(t, path)
			r := run(t, url, "check", "-o", "json")
			if r.code != 8 || !strings.Contains(r.stderr, "check found problems") {
				t.Fatalf("check: exit %d, want 8\n%s%s", r.code, r.stdout, r.stderr)
			}
			var rep checkReport
			if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
				t.Fatalf("check -o json: %v\n%s", err, r.stdout)
			}
			allowed := map[string]bool{tc.kind: true}
			for _, k := range tc.also {
				allowed[k] = true
			}
			found := false
			for _, p := range rep.Problems {
				if !allowed[p.Kind] {
					t.Errorf("unexpected problem %s: %s", p.Kind, p.Message)
				}
				if p.Kind != tc.kind {
					continue
				}
				have := map[string]bool{}
				for _, o := range p.Objects {
					have[o.Type+"="+o.ID] = true
				}
				all := true
				for _, o := range tc.objects {
					all = all && have[o]
				}
				found = found || all
			}
			if !found {
				t.Errorf("no %s problem naming %v in\n%s", tc.kind, tc.objects, r.stdout)
			}
			text := run(t, url, "check")
			if text.code != 8 || !strings.Contains(text.stdout, tc.kind) {
				t.Errorf("check (text): exit %d, want 8 and a line for %s\n%s%s", text.code, tc.kind, text.stdout, text.stderr)
			}
			if after := dump(t, path); after != before {
				t.Errorf("check changed the store")
			}
		})
	}
}

// TestCheckThroughServer runs check through `netipam serve` (GET
// /v1/check): the CLI names no usable store of its own.
func TestCheckThroughServer(t *testing.T) {
	t.Parallel()
	_, base := checkBase(t)
	url, path := copyStore(t, base)
	s := startServe(t, url)
	nowhere := "sqlite://" + filepath.Join(t.TempDir(), "none.db")
	r := run(t, nowhere, "check", "--server", "unix://"+s.sock)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "ok: 2 zones, 3 pods, 5 TORs, 15 subnets, 8 nodes, 54 allocations") {
		t.Fatalf("check --server on an intact store: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	corrupt(t, path, "DELETE FROM allocations WHERE container = 'c3';")
	r = run(t, nowhere, "check", "--server", "unix://"+s.sock, "-o", "json")
	var rep checkReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); r.code != 8 || err != nil {
		t.Fatalf("check --server on a corrupt store: exit %d, want 8 (%v)\n%s%s", r.code, err, r.stdout, r.stderr)
	}
	if len(rep.Problems) != 2 || rep.Problems[0].Kind != "event-without-change" || rep.Problems[1].Kind != "event-without-change" {
		t.Errorf("want the two addresses of c3 reported as events without change, got\n%s", r.stdout)
	}
	if r := run(t, nowhere, "check", "--server", "unix://"+s.sock, "--threshold", "1.5"); r.code != 2 {
		t.Errorf("check --threshold 1.5: exit %d, want 2\n%s", r.code, r.stderr)
	}
}

// TestSQLSchema prints the schema: a header line per table and a line per
// column, in text and JSON, and refuses a query beside --schema.
func TestSQLSchema(t *testing.T) {
	t.Parallel()
	url, _ := seeded(t)
	out := mustRun(t, url, "sql", "--schema")
	for _, want := range []string{"\nallocations: addresses held right now", "\n  addr_key      TEXT NOT NULL     fixed-width key",
		"\nevents: the append-only ledger", "\nevent_archives: ", "\nschema_migrations: "} {
		if !strings.Contains("\n"+out, want) {
			t.Errorf("sql --schema lacks %q:\n%s", want, out)
		}
	}
	var tables []struct {
		Table   string `json:"table"`
		Columns []struct {
			Name, Description string
		} `json:"columns"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, url, "sql", "--schema", "-o", "json")), &tables); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, tb := range tables {
		for _, c := range tb.Columns {
			n++
			if c.Description == "" || strings.Contains(c.Description, "not described") {
				t.Errorf("%s.%s: no description", tb.Table, c.Name)
			}
		}
	}
	if len(tables) < 12 || n < 80 {
		t.Errorf("sql --schema -o json: %d tables, %d columns", len(tables), n)
	}
	if r := run(t, url, "sql", "--schema", "SELECT 1"); r.code != 2 {
		t.Errorf("sql --schema QUERY: exit %d, want 2", r.code)
	}
}

// TestCheckAndBackupReadOnlyStore: check and backup only read, so they
// work for a user who may not write the store; nothing changes.
func TestCheckAndBackupReadOnlyStore(t *testing.T) {
	url, path := readOnlyStore(t)
	before := dump(t, path)
	if r := runAsNobody(t, url, "check"); r.code != 0 || !strings.HasPrefix(r.stdout, "ok: ") {
		t.Errorf("check as nobody on a read-only store: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	out := t.TempDir()
	if err := os.Chmod(out, 0o777); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(out, "backup.db")
	if r := runAsNobody(t, url, "backup", backup); r.code != 0 {
		t.Errorf("backup as nobody of a read-only store: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, "sqlite://"+backup, "check"); r.code != 0 {
		t.Errorf("check of the backup: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if dump(t, path) != before {
		t.Fatal("the read-only store changed")
	}
}
