package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/migrations"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

// rowsOf renders the rows of a query on a SQLite file opened read-only.
func rowsOf(t *testing.T, path, query string) []string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	return render(t, rows)
}

// render renders each row of a result (database/sql's or a Backend's) as
// its values in one line.
func render(t *testing.T, rows interface {
	Columns() ([]string, error)
	Next() bool
	Scan(...any) error
	Err() error
}) []string {
	t.Helper()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprint(vals...))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// copyV1Fixture copies testdata/store-v1.db, a store written by netipam
// with schema version 1, to a temporary file and gives its path.
func copyV1Fixture(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "netipam.db")
	b, err := os.ReadFile("testdata/store-v1.db")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestUpgradeFromVersion1 opens a store written by netipam with schema
// version 1 (testdata/store-v1.db: the demo topology and nodes, CLI
// allocations with and without a container, CNI allocations of two
// networks, one of them sharing a container ID, and a release) and checks
// that migration 0002 loses, duplicates and changes no row, and that the
// new owner key is in force.
func TestUpgradeFromVersion1(t *testing.T) {
	path := copyV1Fixture(t)
	const allocs = `SELECT subnet, address, addr_key, family, purpose, node_id, tor_id, container, ifname, network,
		pod_ns, pod_name, allocated_at FROM allocations ORDER BY addr_key`
	before := rowsOf(t, path, allocs)
	events := rowsOf(t, path, `SELECT * FROM events ORDER BY id`)
	if len(before) != 14 || len(events) < 20 {
		t.Fatalf("fixture: %d allocations, %d events", len(before), len(events))
	}

	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite://"+path)
	if err != nil {
		t.Fatal(err)
	}
	after := rowsOf(t, path, allocs)
	if !slices.Equal(after, before) {
		t.Fatalf("allocations changed by the upgrade:\n%s\nwant\n%s", strings.Join(after, "\n"), strings.Join(before, "\n"))
	}
	if got := rowsOf(t, path, `SELECT * FROM events ORDER BY id`); !slices.Equal(got, events) {
		t.Fatal("events changed by the upgrade")
	}
	if got := rowsOf(t, path, `SELECT version FROM schema_migrations ORDER BY version`); !slices.Equal(got, allVersions(t)) {
		t.Fatalf("schema_migrations %v", got)
	}
	if got := rowsOf(t, path, `PRAGMA integrity_check`); !slices.Equal(got, []string{"ok"}) {
		t.Fatalf("integrity_check %v", got)
	}
	if got := rowsOf(t, path, `PRAGMA foreign_key_check`); len(got) != 0 {
		t.Fatalf("foreign_key_check %v", got)
	}
	triggers := rowsOf(t, path, `SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name`)
	for _, want := range []string{"allocations_immutable", "allocations_in_subnet", "allocations_not_reserved",
		"nodes_fixed_tor_while_used", "subnets_fixed_while_used"} {
		if !slices.Contains(triggers, want) {
			t.Errorf("trigger %s is missing after the upgrade (have %v)", want, triggers)
		}
	}

	// The upgraded store keeps its invariants: a used subnet keeps its
	// TOR, a node holding addresses keeps its TOR, an allocation is never
	// updated, and the old rows still own their addresses.
	for _, q := range []string{
		`UPDATE subnets SET purpose = 'storage' WHERE cidr = '10.244.0.0/22'`,
		`UPDATE nodes SET tor_id = 'tor-2' WHERE id = 'node-02'`,
		`UPDATE allocations SET node_id = 'node-01' WHERE address = '10.244.0.4'`,
	} {
		if _, err := st.Backend().Exec(ctx, store.Q(q)); err == nil {
			t.Errorf("%s: accepted after the upgrade", q)
		}
	}
	// The same container and interface in another network is another
	// attachment now; in the same network on the same node, the same one.
	a := alloc.NewAllocator(st)
	got, err := a.Allocate(ctx, alloc.Request{Node: "node-02", Network: "other-net", Container: "ctr-1", IfName: "eth0"})
	if err != nil || len(got) != 2 {
		t.Fatalf("other-net ctr-1 eth0: %v %v", got, err)
	}
	again, err := a.Allocate(ctx, alloc.Request{Node: "node-02", Network: "rack-net", Container: "ctr-1", IfName: "eth0"})
	if err != nil || len(again) != 2 || again[0].Address.String() != "10.244.0.4" {
		t.Fatalf("rack-net ctr-1 eth0 again: %v %v, want its stored 10.244.0.4", again, err)
	}
	if _, err := a.Allocate(ctx, alloc.Request{Node: "node-01", Network: "rack-net", Container: "ctr-1", IfName: "eth0"}); !isConflict(err) {
		t.Fatalf("rack-net ctr-1 eth0 from node-01: %v, want a conflict naming node-02", err)
	}
	st.Close()
}

func isConflict(err error) bool {
	return err != nil && strings.Contains(err.Error(), "node-02") && errors.Is(err, topo.ErrConflict)
}

// fixtureStatements gives the statements that rebuild testdata/store-v1.db
// elsewhere: its tables, their rows (parents first), then its indexes and
// triggers.
func fixtureStatements(t *testing.T) []store.Stmt {
	t.Helper()
	db, err := sql.Open("sqlite", "file:testdata/store-v1.db?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var tables, later []store.Stmt
	var names []string
	rows, err := db.Query(`SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var typ, name, text string
		if err := rows.Scan(&typ, &name, &text); err != nil {
			t.Fatal(err)
		}
		if typ == "table" {
			tables = append(tables, store.Q(text))
			names = append(names, name)
		} else {
			later = append(later, store.Q(text))
		}
	}
	rows.Close()
	var inserts []store.Stmt
	for _, name := range names {
		rows, err := db.Query(`SELECT * FROM "` + name + `" ORDER BY rowid`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			inserts = append(inserts, store.Q(`INSERT INTO "`+name+`" VALUES (`+
				strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ")+`)`, vals...))
		}
		rows.Close()
	}
	return slices.Concat(tables, inserts, later)
}

// TestRqliteUpgradeFromVersion1 is TestUpgradeFromVersion1 on a real
// 3-node cluster: rqlite runs the table rebuild of migration 0002 as one
// atomic request.
func TestRqliteUpgradeFromVersion1(t *testing.T) {
	c := startCluster(t, 3)
	url := rotated(c, 1)
	ctx := context.Background()
	db, err := store.OpenBackend(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(ctx, fixtureStatements(t)...); err != nil {
		t.Fatalf("load the version 1 fixture: %v", err)
	}
	read := func(q string) []string {
		rows, err := db.Query(ctx, store.Q(q))
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		return render(t, rows)
	}
	const allocs = `SELECT address, node_id, COALESCE(container, '-'), ifname, network, allocated_at FROM allocations ORDER BY addr_key`
	before := read(allocs)
	if len(before) != 14 {
		t.Fatalf("fixture on rqlite: %d allocations", len(before))
	}
	st, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if after := read(allocs); !slices.Equal(after, before) {
		t.Fatalf("allocations changed by the upgrade:\n%v\nwant\n%v", after, before)
	}
	if got := read(`SELECT version FROM schema_migrations ORDER BY version`); !slices.Equal(got, allVersions(t)) {
		t.Fatalf("schema_migrations %v", got)
	}
	a := alloc.NewAllocator(st)
	if got, err := a.Allocate(ctx, alloc.Request{Node: "node-02", Network: "other-net", Container: "ctr-1", IfName: "eth0"}); err != nil || len(got) != 2 {
		t.Fatalf("other-net ctr-1 eth0 after the upgrade: %v %v", got, err)
	}
}

// allVersions lists the version of every embedded migration, as text.
func allVersions(t *testing.T) []string {
	t.Helper()
	names, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil || len(names) < 2 {
		t.Fatalf("embedded migrations %v %v", names, err)
	}
	var out []string
	for _, n := range names {
		v, err := strconv.Atoi(n[:4])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, strconv.Itoa(v))
	}
	return out
}
