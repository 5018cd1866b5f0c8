package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/netipam/netipam/store"
)

// table collects a query's result.
type table struct {
	Columns []string
	Rows    [][]any
}

type tableWriter struct{ t *table }

func (w tableWriter) Columns(cols []string) error { w.t.Columns = slices.Clone(cols); return nil }
func (w tableWriter) Row(vals []any) error {
	w.t.Rows = append(w.t.Rows, slices.Clone(vals))
	return nil
}

// collect runs an operator's query (netipam sql) with no row cap.
func collect(ctx context.Context, st *store.Store, q string) (*table, error) {
	t := &table{}
	_, err := st.ReadOnlyQuery(ctx, q, 0, tableWriter{t})
	return t, err
}

// TestReadOnlyQueryRefusesWhatWrites runs hostile statements through the
// SQLite read-only connection: each is refused as read-only, the store
// keeps its rows, and no file appears in the directory.
func TestReadOnlyQueryRefusesWhatWrites(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	url := "sqlite://" + filepath.Join(dir, "netipam.db")
	st, err := store.OpenMode(ctx, url, store.ModeCreate)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Backend().Exec(ctx, store.Q(`CREATE TABLE kv (k TEXT PRIMARY KEY)`),
		store.Q(`INSERT INTO kv (k) VALUES ('a')`)); err != nil {
		t.Fatal(err)
	}
	st.Close()
	ro, err := store.OpenMode(ctx, url, store.ModeReadOnly)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	files := func() []string {
		es, _ := os.ReadDir(dir)
		var n []string
		for _, e := range es {
			n = append(n, e.Name())
		}
		return n
	}
	before := files()
	target := filepath.Join(dir, "new.db")
	for _, q := range []string{
		`INSERT INTO kv (k) VALUES ('x')`,
		`REPLACE INTO kv (k) VALUES ('a')`,
		`DELETE FROM kv`,
		`WITH x AS (SELECT 1) DELETE FROM kv`,
		`DROP TABLE kv`,
		`CREATE TEMP TABLE t (x)`,
		`ATTACH DATABASE '` + target + `' AS x`,
		`VACUUM INTO '` + target + `'`,
		`VACUUM`,
		`PRAGMA query_only = 0`,
		`PRAGMA writable_schema = 1`,
		`PRAGMA user_version = 7`,
		`PRAGMA wal_checkpoint(TRUNCATE)`,
		`BEGIN`,
		`SAVEPOINT s`,
		`SELECT load_extension('/tmp/x.so')`,
		`ANALYZE`,
		`REINDEX`,
	} {
		if _, err := collect(ctx, ro, q); !errors.Is(err, store.ErrReadOnly) {
			t.Errorf("%q: got %v, want a read-only refusal", q, err)
		}
	}
	if got := files(); !slices.Equal(got, before) {
		t.Errorf("files %v, want %v", got, before)
	}
	for _, q := range []string{`PRAGMA table_info(kv)`, `PRAGMA user_version`, `SELECT * FROM pragma_table_info('kv')`,
		`WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 5) SELECT SUM(x) FROM c`,
		`SELECT k, upper(k), json_array(k) FROM kv`} {
		if _, err := collect(ctx, ro, q); err != nil {
			t.Errorf("%q: %v", q, err)
		}
	}
	tb, err := collect(ctx, ro, `SELECT COUNT(*) FROM kv`)
	if err != nil || len(tb.Rows) != 1 || tb.Rows[0][0] != int64(1) {
		t.Fatalf("count after refused writes: %v %v, want 1", tb, err)
	}
}
