package cmd

import (
	"regexp"
	"strings"
	"testing"
)

// gcRun is random per gc run: normalised.
var gcRunID = regexp.MustCompile(`gc-\d{8}T\d{6}Z-[0-9a-f]{8}`)

// TestGoldenReports prints the reports in each form on the golden store,
// with a gc run's candidates in it, and compares them with their golden
// files.
func TestGoldenReports(t *testing.T) {
	st := goldenStore(t)
	r := runOn(t, st, false, "gc", "--node", "node-01", "--live", "/dev/null", "--allow-empty")
	if r.code != 0 {
		t.Fatalf("gc: exit %d %s", r.code, r.err)
	}
	commands := []struct {
		name string
		args []string
	}{
		{"report-nodes", []string{"report", "nodes"}},
		{"report-leaks", []string{"report", "leaks"}},
		{"report-forecast", []string{"report", "forecast"}},
	}
	for _, c := range commands {
		for _, f := range forms {
			t.Run(c.name+"/"+f.name, func(t *testing.T) {
				r := runOn(t, st, f.tty, append(c.args, f.args...)...)
				if r.code != 0 || r.err != "" {
					t.Fatalf("exit %d: %s", r.code, r.err)
				}
				golden(t, c.name+"."+f.name, gcRunID.ReplaceAllString(r.stdout, "gc-RUN"))
			})
		}
	}
	// The gc report itself, piped.
	r = runOn(t, st, false, "gc", "--node", "node-01", "--live", "/dev/null", "--allow-empty", "--dry-run")
	if r.code != 0 {
		t.Fatalf("gc --dry-run: exit %d %s", r.code, r.err)
	}
	golden(t, "gc-dry-run.tsv", gcRunID.ReplaceAllString(r.stdout, "gc-RUN"))
	if !strings.Contains(r.stdout, "dry run") {
		t.Fatalf("gc --dry-run does not say so:\n%s", r.stdout)
	}
	// And as JSON: what --from-report reads back, each entry's allocation
	// in its one form.
	r = runOn(t, st, false, "gc", "--node", "node-01", "--live", "/dev/null", "--allow-empty", "--dry-run", "-o", "json")
	if r.code != 0 {
		t.Fatalf("gc --dry-run -o json: exit %d %s", r.code, r.err)
	}
	golden(t, "gc-dry-run.json", gcRunID.ReplaceAllString(r.stdout, "gc-RUN"))
}
