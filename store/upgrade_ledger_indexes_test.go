package store_test

import (
	"context"
	"database/sql"
	"io/fs"
	"slices"
	"strconv"
	"testing"

	"github.com/netipam/netipam/migrations"
	"github.com/netipam/netipam/store"
)

// TestUpgradeLedgerIndexes: a store at version 9 holding data (the
// version 1 fixture brought to 9 by migrations 0002-0009, as netipam of
// that version left it) opens at version 10: no row of the ledger or of
// allocations changes, the two ledger indexes hold their column alone,
// and history by address and by container reads the same events as
// before, through those indexes.
func TestUpgradeLedgerIndexes(t *testing.T) {
	path := copyV1Fixture(t)
	toVersion9(t, path)
	if got := rowsOf(t, path, `SELECT MAX(version) FROM schema_migrations`); !slices.Equal(got, []string{"9"}) {
		t.Fatalf("fixture at version %v, want 9", got)
	}
	queries := []string{
		`SELECT * FROM events ORDER BY id`,
		`SELECT * FROM allocations ORDER BY address`,
		`SELECT * FROM subnet_counts ORDER BY subnet`,
	}
	before := map[string][]string{}
	for _, q := range queries {
		if before[q] = rowsOf(t, path, q); len(before[q]) == 0 {
			t.Fatalf("fixture has no rows for %s", q)
		}
	}
	ctx := context.Background()
	addr := rowsOf(t, path, `SELECT address FROM events WHERE kind = 'release' ORDER BY id LIMIT 1`)
	ctr := rowsOf(t, path, `SELECT container FROM events WHERE container <> '' ORDER BY id LIMIT 1`)
	if len(addr) != 1 || len(ctr) != 1 {
		t.Fatalf("fixture has no released address (%v) or container event (%v)", addr, ctr)
	}
	st, err := store.Open(ctx, "sqlite://"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, q := range queries {
		if got := rowsOf(t, path, q); !slices.Equal(got, before[q]) {
			t.Errorf("%s changed by the upgrade:\n%v\nwant\n%v", q, got, before[q])
		}
	}
	for idx, want := range map[string]string{"events_address": "address", "events_container": "container"} {
		if got := rowsOf(t, path, `SELECT name FROM pragma_index_info('`+idx+`')`); !slices.Equal(got, []string{want}) {
			t.Errorf("%s indexes %v after the upgrade, want [%s]", idx, got, want)
		}
	}
	for _, f := range []store.EventFilter{{Address: addr[0]}, {Container: ctr[0]}} {
		col, v := "address", f.Address
		if f.Container != "" {
			col, v = "container", f.Container
		}
		want := rowsOf(t, path, `SELECT id FROM events WHERE `+col+` = '`+v+`' ORDER BY id`)
		evs, err := st.Events(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range evs {
			got = append(got, strconv.FormatInt(e.ID, 10))
		}
		if len(want) == 0 || !slices.Equal(got, want) {
			t.Errorf("events of %s %s after the upgrade: ids %v, want %v", col, v, got, want)
		}
	}
}

// toVersion9 applies migrations 0002-0009 to a version 1 store file, each
// with its schema_migrations row, as netipam of version 9 did.
func toVersion9(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	names, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if n < "0002" || n >= "0010" {
			continue
		}
		src, err := fs.ReadFile(migrations.FS, n)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(string(src)); err != nil {
			t.Fatalf("apply %s: %v", n, err)
		}
		if _, err := db.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, '2026-11-22T02:02:02.000000000Z')`,
			n[:4], n[5:len(n)-4]); err != nil {
			t.Fatal(err)
		}
	}
}
