package cmd

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// releaseToken is random per release (store.releaseToken): normalised.
var releaseToken = regexp.MustCompile(`release:[0-9a-f]{16}`)

// golden compares got with testdata/golden/name, or rewrites the file with
// -update. A change of output format is a diff of these files.
func golden(t *testing.T, name, got string) {
	t.Helper()
	got = releaseToken.ReplaceAllString(got, "release:TOKEN")
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v: run go test ./cmd -run %s -update to create it", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test ./cmd -run '%s' -update rewrites it after review)\n--- got\n%s\n--- want\n%s",
			path, t.Name(), got, want)
	}
}

// The output forms: a table on a terminal, tab-separated when piped, JSON,
// CSV.
var forms = []struct {
	name string
	tty  bool
	args []string
}{
	{"tty", true, nil},
	{"tsv", false, nil},
	{"json", false, []string{"-o", "json"}},
	{"csv", false, []string{"-o", "csv"}},
}

// TestGoldenOutput prints each report in each form on the same store and
// compares it with its golden file.
func TestGoldenOutput(t *testing.T) {
	commands := []struct {
		name string
		args []string
		csv  bool // a table: -o csv applies
	}{
		{"usage", []string{"usage"}, true},
		{"usage-tor", []string{"usage", "--level", "tor"}, true},
		{"subnet-list", []string{"subnet", "list"}, true},
		{"node-list", []string{"node", "list"}, true},
		{"topo-show", []string{"topo", "show"}, false},
		{"history-ip", []string{"history", "--ip", "10.0.1.10"}, true},
		{"history-container", []string{"history", "--container", "c1"}, true},
		{"sql", []string{"sql", "SELECT address, node_id, container, pod_ns || '/' || pod_name AS pod FROM allocations ORDER BY addr_key"}, true},
	}
	st := goldenStore(t)
	for _, c := range commands {
		for _, f := range forms {
			if f.name == "csv" && !c.csv {
				continue
			}
			t.Run(c.name+"/"+f.name, func(t *testing.T) {
				r := runOn(t, st, f.tty, append(c.args, f.args...)...)
				if r.code != 0 || r.err != "" {
					t.Fatalf("exit %d: %s", r.code, r.err)
				}
				golden(t, c.name+"."+f.name, r.stdout)
			})
		}
	}
}

// TestGoldenAlloc prints a fresh allocation in each form: each on its own
// copy of the golden store, so that each hands out the same addresses.
func TestGoldenAlloc(t *testing.T) {
	for _, f := range forms {
		t.Run(f.name, func(t *testing.T) {
			st := goldenStore(t)
			args := []string{"alloc", "--node", "node-01", "--container", "c2", "--pod", "web/web-1"}
			r := runOn(t, st, f.tty, append(args, f.args...)...)
			if r.code != 0 || r.err != "" {
				t.Fatalf("exit %d: %s", r.code, r.err)
			}
			golden(t, "alloc."+f.name, r.stdout)
		})
	}
}

// TestGoldenTTYHasNoExactHugeNumbers: on a terminal an IPv6 /64 reads ~2^64,
// never its 20 digits; scripts (piped, CSV, JSON) get the exact number.
func TestGoldenTTYHasNoExactHugeNumbers(t *testing.T) {
	st := goldenStore(t)
	const exact = "18446744073709551614" // 2^64 - 2: a /64 less anycast and gateway
	for _, args := range [][]string{{"usage"}, {"subnet", "list"}, {"topo", "show"}} {
		tty := runOn(t, st, true, args...).stdout
		if strings.Contains(tty, exact) || !strings.Contains(tty, "~2^64") {
			t.Errorf("%v on a terminal: want ~2^64, not %s:\n%s", args, exact, tty)
		}
		for _, f := range forms[1:] {
			if f.name == "csv" && args[0] == "topo" {
				continue
			}
			piped := runOn(t, st, false, append(args, f.args...)...).stdout
			if !strings.Contains(piped, exact) || strings.Contains(piped, "2^64") {
				t.Errorf("%v %s: want the exact %s:\n%s", args, f.name, exact, piped)
			}
		}
	}
}
