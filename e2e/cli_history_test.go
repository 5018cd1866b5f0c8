package e2e

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestHistoryAnswersWhoHeldAnAddress: an address allocated to one
// container, released, then allocated to another; the ledger names the
// holder at any moment.
func TestHistoryAnswersWhoHeldAnAddress(t *testing.T) {
	t.Parallel()
	url, _ := seeded(t)
	mustRun(t, url, "alloc", "--node", "node-01", "--ip", "10.244.0.77", "--container", "first")
	time.Sleep(20 * time.Millisecond)
	between := time.Now().UTC()
	time.Sleep(20 * time.Millisecond)
	mustRun(t, url, "release", "--container", "first")
	mustRun(t, url, "alloc", "--node", "node-02", "--ip", "10.244.0.77", "--container", "second")
	after := time.Now().UTC().Add(time.Second)

	holder := func(at time.Time) []map[string]any {
		var evs []map[string]any
		out := mustRun(t, url, "history", "--ip", "10.244.0.77", "--at", at.Format(time.RFC3339Nano), "-o", "json")
		if err := json.Unmarshal([]byte(out), &evs); err != nil {
			t.Fatalf("history output %q: %v", out, err)
		}
		return evs
	}
	if h := holder(between); len(h) != 2 || h[0]["container"] != "first" || h[1]["kind"] != "release" {
		t.Fatalf("at %s: %v, want first's allocation and its release", between, h)
	}
	if h := holder(after); len(h) != 1 || h[0]["container"] != "second" || h[0]["node"] != "node-02" {
		t.Fatalf("now: %v, want second on node-02", h)
	}
	all := mustRun(t, url, "history", "--ip", "10.244.0.77")
	if n := strings.Count(all, "\n"); n != 4 { // header + allocate, release, allocate
		t.Fatalf("full history:\n%s", all)
	}
	csv := mustRun(t, url, "sql", "SELECT kind, container FROM events WHERE address = '10.244.0.77' ORDER BY id", "-o", "csv")
	if csv != "kind,container\nallocate,first\nrelease,first\nallocate,second\n" {
		t.Fatalf("sql csv:\n%s", csv)
	}
}
