package store

import (
	"errors"
	"testing"
)

// TestCheckRqliteQuery: only single statements that read reach rqlite.
func TestCheckRqliteQuery(t *testing.T) {
	for _, q := range []string{
		`SELECT 1`, ` select * from allocations`, `WITH x AS (SELECT 1) SELECT * FROM x`, `VALUES (1)`,
		`EXPLAIN QUERY PLAN SELECT 1`, `PRAGMA table_info(allocations)`, `PRAGMA main.index_list(allocations)`,
		`PRAGMA foreign_keys`, `PRAGMA user_version`, `/* ; */ SELECT ';' AS "x;y" -- ;`, `SELECT 1;`,
	} {
		if err := checkRqliteQuery(q); err != nil {
			t.Errorf("%q: %v", q, err)
		}
	}
	for _, q := range []string{
		`ATTACH DATABASE '/tmp/x.db' AS x`, `attach '/tmp/x.db' as x`, `DETACH x`, `VACUUM INTO '/tmp/x.db'`,
		`VACUUM`, `BEGIN`, `SAVEPOINT s`, `RELEASE s`, `DELETE FROM events`, `INSERT INTO zones VALUES (1)`,
		`REPLACE INTO zones VALUES (1)`, `DROP TRIGGER t`, `CREATE TABLE t (x)`, `ANALYZE`, `REINDEX`,
		`PRAGMA query_only = 0`, `PRAGMA foreign_keys = OFF`, `PRAGMA case_sensitive_like(1)`,
		`PRAGMA writable_schema=1`, `PRAGMA user_version = 3`, `PRAGMA optimize`, `PRAGMA wal_checkpoint`,
		`SELECT 1; DELETE FROM events`, `/* x */ ATTACH 'y' AS z`,
	} {
		if err := checkRqliteQuery(q); !errors.Is(err, ErrReadOnly) {
			t.Errorf("%q: %v, want a read-only refusal", q, err)
		}
	}
}
