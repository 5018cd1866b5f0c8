package storetest

import "testing"

// A scan of a table is unbounded; a scan of a common table expression the
// statement defines reads what its own searches found, and is not.
func TestUnboundedCTE(t *testing.T) {
	cases := []struct {
		sql, step string
		flagged   bool
	}{
		{"SELECT * FROM allocations", "SCAN allocations", true},
		{"WITH RECURSIVE used(subnet) AS (SELECT 1) SELECT * FROM used", "SCAN used", false},
		{"WITH a AS (SELECT 1), b(x) AS (SELECT 2) SELECT * FROM a, b", "SCAN b", false},
		{"WITH used AS (SELECT 1) SELECT * FROM used, allocations", "SCAN allocations", true},
		{"SELECT * FROM allocations WHERE network = ?", "SEARCH allocations USING INDEX x (network=?)", true},
		{"SELECT * FROM allocations WHERE node_id = ?", "SEARCH allocations USING INDEX x (node_id=?)", false},
	}
	for _, c := range cases {
		if got := unbounded(c.sql, c.step) != ""; got != c.flagged {
			t.Errorf("unbounded(%q, %q) flagged %v, want %v", c.sql, c.step, got, c.flagged)
		}
	}
}
