package e2e

import (
	"bufio"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// eventRows reads every column of the events table, by id.
func eventRows(t *testing.T, path, where string) map[int64]map[string]any {
	t.Helper()
	cols, rows := sqlScan(t, path, `SELECT * FROM events WHERE `+where)
	out := map[int64]map[string]any{}
	for _, vals := range rows {
		m := map[string]any{}
		for i, c := range cols {
			m[c] = vals[i]
		}
		out[vals[0].(int64)] = m
	}
	return out
}

// TestEventsArchive writes events of several ages (NETIPAM_NOW), archives
// those older than a date, and checks the file holds exactly the deleted
// rows, every column, while younger events stay; that the schema refuses
// any other delete; and that dates under 30 days ago are refused.
func TestEventsArchive(t *testing.T) {
	url, path := seeded(t)
	now := time.Now().UTC()
	at := func(age time.Duration) string { return now.Add(-age).Format(time.RFC3339) }
	day := 24 * time.Hour
	steps := []struct {
		age  time.Duration
		args []string
	}{
		{100 * day, []string{"alloc", "--node", "node-01", "--container", "old-gone", "--family", "4"}},
		{100 * day, []string{"alloc", "--node", "node-03", "--container", "old-held", "--family", "4"}},
		{99 * day, []string{"release", "--container", "old-gone"}},
		{40 * day, []string{"alloc", "--node", "node-05", "--container", "mid", "--family", "4"}},
		{10 * day, []string{"alloc", "--node", "node-07", "--container", "young", "--family", "4"}},
		{10 * day, []string{"release", "--container", "young"}},
		{0, []string{"alloc", "--node", "node-02", "--container", "now", "--family", "4"}},
	}
	for _, s := range steps {
		t.Setenv("NETIPAM_NOW", at(s.age))
		mustRun(t, url, s.args...)
	}
	t.Setenv("NETIPAM_NOW", "")
	cutoff := now.Add(-50 * day)
	old := eventRows(t, path, "at < '"+cutoff.Format("2006-01-02T15:04:05")+"'")
	kept := eventRows(t, path, "at >= '"+cutoff.Format("2006-01-02T15:04:05")+"'")
	// The seed's topology and node events (at seedNow) are old too.
	seed := eventRows(t, path, "at < '"+cutoff.Format("2006-01-02T15:04:05")+"' AND kind NOT IN ('allocate', 'release')")
	if len(old)-len(seed) != 3 || len(seed) == 0 || len(kept) < 4 {
		t.Fatalf("%d old (%d of the seed) and %d younger events, want the seed's, 3 more old (allocate, allocate, release) and the rest",
			len(old), len(seed), len(kept))
	}

	// Refused: a date under 30 days ago, and an existing file; nothing
	// changes.
	file := filepath.Join(t.TempDir(), "events.jsonl")
	before := dump(t, path)
	r := run(t, url, "events", "archive", "--before", at(20*day), "--to", file)
	if r.code != 2 || !strings.Contains(r.stderr, "30 days") {
		t.Errorf("archive --before 20 days ago: exit %d, want 2 and the 30-day limit\n%s", r.code, r.stderr)
	}
	if err := os.WriteFile(file+".x", []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	r = run(t, url, "events", "archive", "--before", at(50*day), "--to", file+".x")
	if r.code != 2 || !strings.Contains(r.stderr, "exists") {
		t.Errorf("archive to an existing file: exit %d, want 2\n%s", r.code, r.stderr)
	}
	if r := run(t, url, "events", "archive", "--before", at(50*day), "--to", filepath.Join(file, "x", "y.jsonl")); r.code != 2 {
		t.Errorf("archive into a missing directory: exit %d, want 2\n%s", r.code, r.stderr)
	}
	if r := run(t, url, "events", "archive", "--before", "last tuesday", "--to", file); r.code != 2 {
		t.Errorf("archive --before 'last tuesday': exit %d, want 2\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(file); err == nil {
		t.Errorf("a refused archive wrote %s", file)
	}
	if dump(t, path) != before {
		t.Fatal("a refused archive changed the store")
	}

	// The archive: the file holds exactly the deleted rows.
	out := mustRun(t, url, "events", "archive", "--before", at(50*day), "--to", file)
	if !strings.Contains(out, fmt.Sprintf("archived %d events", len(old))) {
		t.Errorf("archive said %q", out)
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lines := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines++
		var e map[string]any
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("line %d: %v", lines, err)
		}
		id := int64(e["id"].(float64))
		want, ok := old[id]
		if !ok {
			t.Errorf("line %d: event %d was not older than the cutoff", lines, id)
			continue
		}
		if len(e) != len(want) {
			t.Errorf("event %d: %d fields in the file, %d columns", id, len(e), len(want))
		}
		for c, v := range want {
			if c == "id" {
				continue
			}
			if !reflect.DeepEqual(e[c], v) {
				t.Errorf("event %d column %s: file %v, table %v", id, c, e[c], v)
			}
		}
	}
	if lines != len(old) {
		t.Errorf("%d lines in the file, want %d", lines, len(old))
	}
	if got := eventRows(t, path, "1 = 1"); !reflect.DeepEqual(got, kept) {
		t.Errorf("after the archive the ledger holds %d events, want the %d younger ones unchanged", len(got), len(kept))
	}
	// old-held's allocate event is archived: check accepts that.
	if r := run(t, url, "check"); r.code != 0 {
		t.Errorf("check after the archive: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// The schema refuses every other delete: a young event, an event older
	// than 30 days that no archive covers, and a forged archive row.
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		`DELETE FROM events WHERE container = 'young'`,
		`DELETE FROM events WHERE container = 'mid'`,
		`DELETE FROM events`,
	} {
		if _, err := db.Exec(q); err == nil || !strings.Contains(err.Error(), "only by netipam events archive") {
			t.Errorf("%s: %v, want the schema's refusal", q, err)
		}
	}
	_, err = db.Exec(`INSERT INTO event_archives (at, before, through_id) VALUES (?, ?, 1000000)`,
		now.Format("2006-01-02T15:04:05.000000000Z"), now.Add(-10*day).Format("2006-01-02T15:04:05.000000000Z"))
	if err == nil || !strings.Contains(err.Error(), "30 days older than the latest event") {
		t.Errorf("an archive row with a cutoff 10 days back: %v, want the schema's refusal", err)
	}
}
