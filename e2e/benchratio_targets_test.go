package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBenchTargets runs make bench's report (testdata/benchratio.awk) on
// benchmark output: each of issue 16's targets is judged on the median of
// its runs against its reference's median from the same runs, PASS or
// SHORT, NOT RUN when its benchmark is missing, and bench/results.json
// carries the same verdicts with the figures they come from.
func TestBenchTargets(t *testing.T) {
	out := strings.Join([]string{
		// VERSION: medians 2.0 and 1.6 ms: ratio 1.25, within 1.3.
		"BenchmarkPluginStart/netipam-2   300   2000000 ns/op",
		"BenchmarkPluginStart/netipam-2   300   9000000 ns/op",
		"BenchmarkPluginStart/netipam-2   300   1900000 ns/op",
		"BenchmarkPluginStart/trivial-2   300   1600000 ns/op",
		"BenchmarkPluginStart/trivial-2   300   1500000 ns/op",
		"BenchmarkPluginStart/trivial-2   300   1700000 ns/op",
		// serve: median 9000/s, short of 12000/s.
		"BenchmarkServeAllocate-2   2   1 ns/op   9000 server-allocs/s   15000 local-allocs/s   0.6 ratio",
		"BenchmarkServeAllocate-2   2   1 ns/op   13000 server-allocs/s   15000 local-allocs/s   0.6 ratio",
		"BenchmarkServeAllocate-2   2   1 ns/op   8000 server-allocs/s   15000 local-allocs/s   0.6 ratio",
	}, "\n") + "\n"
	dir := t.TempDir()
	in := filepath.Join(dir, "bench.out")
	if err := os.WriteFile(in, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	results := filepath.Join(dir, "results.json")
	cmd := exec.Command("awk", "-v", "json="+filepath.Join(dir, "bench.json"), "-v", "resultsfile="+results,
		"-f", repoPath("testdata/benchratio.awk"), in)
	printed, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("awk: %v\n%s", err, printed)
	}
	b, err := os.ReadFile(results)
	if err != nil {
		t.Fatal(err)
	}
	var rows []struct {
		Name, Benchmark, Unit, Target, Verdict string
		Value, Reference, Ratio                *float64
	}
	if err := json.Unmarshal(b, &rows); err != nil {
		t.Fatalf("results.json: %v\n%s", err, b)
	}
	got := map[string]string{}
	for _, r := range rows {
		got[r.Benchmark+" "+r.Unit] = r.Verdict
		switch r.Benchmark {
		case "BenchmarkPluginStart/netipam":
			if r.Value == nil || *r.Value != 2000000 || r.Reference == nil || *r.Reference != 1600000 || r.Ratio == nil || *r.Ratio != 1.25 {
				t.Errorf("VERSION row: value %v reference %v ratio %v, want the medians 2000000 and 1600000, ratio 1.25", r.Value, r.Reference, r.Ratio)
			}
		case "BenchmarkServeAllocate":
			if r.Value == nil || *r.Value != 9000 {
				t.Errorf("serve row: value %v, want the median 9000", r.Value)
			}
		}
	}
	for key, want := range map[string]string{
		"BenchmarkPluginStart/netipam ns/op":                  "PASS",
		"BenchmarkServeAllocate server-allocs/s":              "SHORT",
		"BenchmarkGroupWriteCost full-rows/s":                 "NOT RUN",
		"BenchmarkCNIAddServer/ipv4/callers=8 netipam-p99-ms": "NOT RUN",
	} {
		if got[key] != want {
			t.Errorf("%s: verdict %q, want %s\nresults: %s", key, got[key], want, b)
		}
	}
	if len(rows) != 14 {
		t.Errorf("%d targets in results.json, want issue 16's 14", len(rows))
	}
	for _, line := range []string{"CNI VERSION vs a trivial static Go binary", "PASS", "SHORT", "NOT RUN"} {
		if !strings.Contains(string(printed), line) {
			t.Errorf("the printed table lacks %q:\n%s", line, printed)
		}
	}
}
