package e2e

import (
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	_ "modernc.org/sqlite"
)

// sqlResult is `netipam sql -o json`.
type sqlResult struct {
	Columns   []string         `json:"columns"`
	Rows      []map[string]any `json:"rows"`
	Truncated bool             `json:"truncated"`
}

// TestAuditQueries runs docs/operations.md's example audit queries
// (testdata/audit/*.sql) with `netipam sql` on the demo store with a known
// history, and checks each succeeds with the expected columns and rows.
func TestAuditQueries(t *testing.T) {
	url, path := seeded(t)
	for _, s := range []struct {
		now  string
		args []string
	}{
		{"2026-11-19T14:00:00Z", []string{"alloc", "--node", "node-01", "--ip", "10.244.0.7", "--container", "c-a", "--family", "4"}},
		{"2026-11-19T14:10:00Z", []string{"release", "--container", "c-a"}},
		{"2026-11-19T14:20:00Z", []string{"alloc", "--node", "node-02", "--ip", "10.244.0.7", "--container", "c-b", "--family", "4"}},
		{"2026-11-20T09:00:00Z", []string{"alloc", "--node", "node-05", "--container", "c-c", "--family", "4"}},
	} {
		t.Setenv("NETIPAM_NOW", s.now)
		mustRun(t, url, s.args...)
	}
	t.Setenv("NETIPAM_NOW", "")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	// An expansion as the ledger records one (kind expand, the TOR and
	// the block).
	_, err = db.Exec(`INSERT INTO events (at, kind, actor, subnet, tor_id, purpose)
		VALUES ('2026-11-20T10:00:00.000000000Z', 'expand', 'test', '10.244.28.0/22', 'tor-3', 'default')`)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		file    string
		columns []string
		rows    int            // -1: any number
		first   map[string]any // fields of the first row
		check   func(t *testing.T, rows []map[string]any)
	}{
		{"who-held.sql", []string{"allocated_at", "node_id", "tor_id", "container", "ifname", "network", "pod_ns",
			"pod_name", "actor", "released_at"}, 1,
			map[string]any{"node_id": "node-01", "container": "c-a", "allocated_at": "2026-11-19T14:00:00.000000000Z",
				"released_at": "2026-11-19T14:10:00.000000000Z"}, nil},
		{"allocations-per-tor-per-day.sql", []string{"day", "tor_id", "allocations"}, 2,
			map[string]any{"day": "2026-11-19", "tor_id": "tor-1", "allocations": float64(2)}, nil},
		{"longest-held.sql", []string{"address", "node_id", "tor_id", "container", "pod_ns", "pod_name", "allocated_at",
			"days_held"}, 2, map[string]any{"address": "10.244.0.7", "node_id": "node-02", "container": "c-b"}, nil},
		{"nodes-never-released.sql", []string{"node_id", "allocations", "first_allocation", "last_allocation"}, 2,
			map[string]any{"node_id": "node-02", "allocations": float64(1)},
			func(t *testing.T, rows []map[string]any) {
				if rows[1]["node_id"] != "node-05" {
					t.Errorf("second row %v, want node-05 (node-01 released)", rows[1])
				}
			}},
		{"expansions-per-pod.sql", []string{"pod_id", "expansions", "last_expansion"}, 3,
			map[string]any{"pod_id": "pod-2", "expansions": float64(1), "last_expansion": "2026-11-20T10:00:00.000000000Z"},
			func(t *testing.T, rows []map[string]any) {
				if rows[1]["expansions"] != float64(0) || rows[1]["last_expansion"] != nil {
					t.Errorf("second row %v, want a pod without expansions", rows[1])
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			q, err := os.ReadFile(filepath.Join(repoPath("testdata/audit"), tc.file))
			if err != nil {
				t.Fatal(err)
			}
			var res sqlResult
			out := mustRun(t, url, "sql", "-o", "json", "--", string(q)) // the file starts with a -- comment
			if err := json.Unmarshal([]byte(out), &res); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if !reflect.DeepEqual(res.Columns, tc.columns) {
				t.Errorf("columns %v, want %v", res.Columns, tc.columns)
			}
			if tc.rows >= 0 && len(res.Rows) != tc.rows {
				t.Fatalf("%d rows, want %d:\n%s", len(res.Rows), tc.rows, out)
			}
			for k, v := range tc.first {
				if res.Rows[0][k] != v {
					t.Errorf("first row %s = %v, want %v\n%s", k, res.Rows[0][k], v, out)
				}
			}
			if tc.check != nil {
				tc.check(t, res.Rows)
			}
		})
	}
}
