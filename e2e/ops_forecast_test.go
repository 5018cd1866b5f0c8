package e2e

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestReportForecast: the rate comes from the ledger's window only
// (allocations before it do not count, releases in it do), times follow
// from it, the urgent TOR comes first and an idle one reads "never".
func TestReportForecast(t *testing.T) {
	t.Parallel()
	url, path := seeded(t)
	day := 24 * time.Hour
	alloc := func(d time.Duration, n string) {
		mustRunAt(t, url, gcAt(d), "", "alloc", "--node", "node-04", "--family", "4", "--count", n)
	}
	// The TOR node-04 sits on.
	tor := strings.TrimSpace(mustRun(t, url, "sql", "-o", "csv", "SELECT tor_id FROM nodes WHERE id = 'node-04'"))
	tor = strings.TrimPrefix(tor, "tor_id\n")
	alloc(-30*day, "100") // before the window
	alloc(-6*day, "80")
	alloc(-2*day, "80")
	mustRunAt(t, url, gcAt(-day), "", "release", "--node", "node-04") // 260 released in the window
	alloc(-day, "200")
	before := dump(t, path)
	out := mustRunAt(t, url, gcAt(0), "", "report", "forecast", "--window", "7d", "-o", "json")
	var f struct {
		Rows []struct {
			TOR         string  `json:"tor"`
			Purpose     string  `json:"purpose"`
			Family      int     `json:"family"`
			Used        uint64  `json:"used"`
			Allocated   int64   `json:"allocated"`
			Released    int64   `json:"released"`
			PerDay      float64 `json:"per_day"`
			ToThreshold *int64  `json:"to_threshold_seconds"`
			ToFull      *int64  `json:"to_full_seconds"`
		} `json:"rows"`
	}
	if err := json.Unmarshal([]byte(out), &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Rows) == 0 || f.Rows[0].TOR != tor || f.Rows[0].Purpose != "default" || f.Rows[0].Family != 4 {
		t.Fatalf("first row %+v, want %s default IPv4 (the only one with a rate)", f.Rows[0], tor)
	}
	r := f.Rows[0]
	if r.Used != 200 || r.Allocated != 360 || r.Released != 260 || r.PerDay != 100.0/7 {
		t.Fatalf("%s: %+v, want 200 used, 360 allocated and 260 released in the window, 100/7 a day", tor, r)
	}
	if r.ToThreshold == nil || r.ToFull == nil || *r.ToThreshold >= *r.ToFull {
		t.Fatalf("%s: threshold %v full %v", tor, r.ToThreshold, r.ToFull)
	}
	for _, o := range f.Rows[1:] {
		if o.ToThreshold != nil && o.TOR != tor {
			t.Fatalf("%s %s: a time to threshold without a rate: %+v", o.TOR, o.Purpose, o)
		}
	}
	text := mustRunAt(t, url, gcAt(0), "", "report", "forecast")
	if !strings.Contains(text, "never") || !strings.HasPrefix(text, "TOR\tPOD\tPURPOSE") {
		t.Fatalf("plain forecast:\n%s", text)
	}
	for _, bad := range [][]string{{"--window", "0d"}, {"--window", "week"}, {"--threshold", "1.5"}} {
		r := runAt(t, url, gcAt(0), "", append([]string{"report", "forecast"}, bad...)...)
		if r.code != 2 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || !strings.Contains(r.stderr, bad[0]) {
			t.Errorf("forecast %v: exit %d %q, want 2 and one line naming %s", bad, r.code, r.stderr, bad[0])
		}
	}
	if after := dump(t, path); after != before {
		t.Fatal("a report changed the store")
	}
}
