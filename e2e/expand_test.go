package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// expandFile: TOR t1 holds a /28 (13 addresses to hand out) of pod p1's
// /26; t2 holds the /28 after it, so t1's buddy is taken and the pod has
// room for two more /28s.
const expandFile = `topology:
  zones:
    - id: z
      cidr: 10.9.0.0/16
      pods:
        - id: p1
          cidr: 10.9.0.0/26
          tors:
            - id: t1
              subnets:
                - {cidr: 10.9.0.0/28, purpose: default}
            - id: t2
              subnets:
                - {cidr: 10.9.0.16/28, purpose: default}
`

// seededExpand gives a SQLite store holding expandFile and node n1 on t1.
func seededExpand(t *testing.T) (url, path string) {
	t.Helper()
	dir := t.TempDir()
	path = filepath.Join(dir, "netipam.db")
	url = "sqlite://" + path
	file := filepath.Join(dir, "topology.yaml")
	if err := os.WriteFile(file, []byte(expandFile), 0o644); err != nil {
		t.Fatal(err)
	}
	mustSeed(t, url, "topo", "import", file)
	mustSeed(t, url, "node", "register", "--id", "n1", "--tor", "t1")
	return url, path
}

// sqlRows runs a query on a SQLite file, read-only, and gives its rows as
// text, one line each, columns separated by spaces.
func sqlRows(t *testing.T, path, q string) []string {
	t.Helper()
	_, rows := sqlScan(t, path, q)
	out := make([]string, 0, len(rows))
	for _, vals := range rows {
		s := make([]string, len(vals))
		for i, v := range vals {
			s[i] = fmt.Sprint(v)
		}
		out = append(out, strings.Join(s, " "))
	}
	return out
}

// t1Blocks lists t1's subnets with their source.
func t1Blocks(t *testing.T, path string) []string {
	return sqlRows(t, path, `SELECT cidr, source FROM subnets WHERE tor_id = 't1' ORDER BY first_key`)
}

// An allocation that takes t1 to the threshold (11 of 13 is 0.85) grows it
// in the same call by the pod's lowest free /28 (its buddy belongs to t2);
// the allocations go on past the first block's capacity without a failure.
func TestExpandThresholdCLI(t *testing.T) {
	url, path := seededExpand(t)
	// Two days ago: older than the recent past whose rate sizes a block,
	// which then stays a /28.
	t.Setenv(envNow, time.Now().Add(-48*time.Hour).UTC().Format(time.RFC3339))
	for i := 1; i <= 10; i++ {
		mustRun(t, url, "alloc", "--node", "n1")
	}
	t.Setenv(envNow, "")
	if got := t1Blocks(t, path); len(got) != 1 {
		t.Fatalf("below the threshold: t1's subnets = %v, want only its own", got)
	}
	r := run(t, url, "alloc", "--node", "n1")
	if r.code != 0 || !strings.Contains(r.stderr, "expanded TOR t1 (default, IPv4) with 10.9.0.32/28") {
		t.Fatalf("the 11th allocation: exit %d, stderr %q: want it to say it expanded t1", r.code, r.stderr)
	}
	want := []string{"10.9.0.0/28 import", "10.9.0.32/28 expand"}
	if got := t1Blocks(t, path); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("t1's subnets = %v, want %v", got, want)
	}
	ev := sqlRows(t, path, `SELECT subnet, tor_id, purpose, detail FROM events WHERE kind = 'expand'`)
	if len(ev) != 1 || !strings.Contains(ev[0], "reason threshold, usage 11/13") || !strings.Contains(ev[0], "(any)") {
		t.Errorf("expand events = %q, want one with reason threshold and the usage 11/13", ev)
	}
	for i := 0; i < 12; i++ { // past 13: from the new block
		mustRun(t, url, "alloc", "--node", "n1")
	}
	if n := sqlRows(t, path, `SELECT COUNT(*) FROM allocations WHERE subnet = '10.9.0.32/28'`); n[0] == "0" {
		t.Error("no allocation was made from the expanded block")
	}
}

// When the pod has no room, nothing is carved outside it: the allocation
// that crosses the threshold still succeeds and warns, the ledger says so
// once, the allocation that finds the TOR full exits 5, and subnet expand
// exits 5 saying why.
func TestExpandPodFull(t *testing.T) {
	t.Parallel()
	url, path := seededExpand(t)
	// Fill the pod's free /28s with t2's blocks: 10.9.0.32/28, 10.9.0.48/28.
	mustRun(t, url, "subnet", "add", "--tor", "t2", "--cidr", "10.9.0.32/28")
	mustRun(t, url, "subnet", "add", "--tor", "t2", "--cidr", "10.9.0.48/28")
	for i := 1; i <= 10; i++ {
		mustRun(t, url, "alloc", "--node", "n1")
	}
	r := run(t, url, "alloc", "--node", "n1")
	if r.code != 0 || !strings.Contains(r.stderr, "warning: expand t1 (default, IPv4): pod p1 has no free /28 for TOR t1: widen the pod's prefix") {
		t.Fatalf("crossing the threshold in a full pod: exit %d, stderr %q", r.code, r.stderr)
	}
	mustRun(t, url, "alloc", "--node", "n1")
	mustRun(t, url, "alloc", "--node", "n1")
	r = run(t, url, "alloc", "--node", "n1")
	if r.code != 5 || !strings.Contains(r.stderr, "TOR t1 has no free IPv4 default address") {
		t.Fatalf("a full TOR in a full pod: exit %d, stderr %q, want 5", r.code, r.stderr)
	}
	if got := t1Blocks(t, path); len(got) != 1 {
		t.Errorf("t1's subnets = %v: nothing may be carved", got)
	}
	ev := sqlRows(t, path, `SELECT subnet, detail FROM events WHERE kind = 'expand'`)
	if len(ev) != 1 || !strings.Contains(ev[0], "blocked") || !strings.Contains(ev[0], "pod p1 has no free /28") {
		t.Errorf("expand events = %q, want one blocked event however many allocations found the pod full", ev)
	}
	before := dump(t, path)
	r = run(t, url, "subnet", "expand", "--tor", "t1", "--dry-run", "-o", "json")
	if r.code != 5 || !strings.Contains(r.stderr, "pod p1 has no free /28 for TOR t1") {
		t.Fatalf("subnet expand in a full pod: exit %d, stderr %q, want 5", r.code, r.stderr)
	}
	var plans []struct {
		Need    bool   `json:"need"`
		Blocked string `json:"blocked"`
		Reason  string `json:"reason"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &plans); err != nil || len(plans) != 1 || !plans[0].Need || plans[0].Blocked == "" {
		t.Errorf("plan %q (%v): want one needed, blocked plan", r.stdout, err)
	}
	if after := dump(t, path); after != before {
		t.Errorf("a dry run changed the store")
	}
}

// subnet expand shows the plan and the rule; --dry-run changes nothing;
// bad input changes nothing and exits with its code.
func TestSubnetExpand(t *testing.T) {
	t.Parallel()
	url, path := seededExpand(t)
	before := dump(t, path)
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"--tor", "nope"}, 3, "--tor nope: unknown TOR"},
		{[]string{"--tor", "t1", "--purpose", "storage"}, 3, "TOR t1 has no storage subnet to grow"},
		{[]string{"--tor", "t1", "--family", "6"}, 3, "TOR t1 has no default subnet of IPv6 to grow"},
		{[]string{"--tor", "t1", "--family", "5"}, 2, `--family "5": use 4, 6 or all`},
		{[]string{"--tor", "t1", "--dry-run"}, 0, ""},
	} {
		r := run(t, url, append([]string{"subnet", "expand"}, c.args...)...)
		if r.code != c.code || !strings.Contains(r.stderr, c.msg) {
			t.Errorf("subnet expand %v: exit %d, stderr %q; want %d and %q", c.args, r.code, r.stderr, c.code, c.msg)
		}
		if c.code != 0 && strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("subnet expand %v: the error is not one line: %q", c.args, r.stderr)
		}
	}
	if after := dump(t, path); after != before {
		t.Fatal("bad input or a dry run changed the store")
	}
	out := mustRun(t, url, "subnet", "expand", "--tor", "t1")
	for _, want := range []string{"TOR t1 (pod p1), default IPv4: 0 of 13 used (0%), threshold 80%",
		"reason manual: block 10.9.0.32/28, chosen as any; the TOR's blocks aggregate to 2 prefix(es); claimed"} {
		if !strings.Contains(out, want) {
			t.Errorf("subnet expand printed %q, want %q", out, want)
		}
	}
	// The next block of t1 is its new block's buddy.
	out = mustRun(t, url, "subnet", "expand", "--tor", "t1", "--dry-run", "-o", "json")
	if !strings.Contains(out, `"block": "10.9.0.48/28"`) || !strings.Contains(out, `"choice": "buddy"`) {
		t.Errorf("second plan %s: want the buddy 10.9.0.48/28", out)
	}
}

// topo export writes expanded blocks marked; re-importing the export with
// --prune keeps them (expanded, holding their addresses), and a file that
// leaves out an expanded block holding addresses is refused by --prune.
func TestExpandExportPrune(t *testing.T) {
	t.Parallel()
	url, path := seededExpand(t)
	mustRun(t, url, "subnet", "expand", "--tor", "t1")
	mustRun(t, url, "alloc", "--node", "n1", "--ip", "10.9.0.40")
	exported := mustRun(t, url, "topo", "export")
	if !strings.Contains(exported, "cidr: 10.9.0.32/28\n                  purpose: default\n                  gateway: 10.9.0.33\n                  expanded: true") {
		t.Fatalf("export does not mark the expanded block:\n%s", exported)
	}
	file := filepath.Join(t.TempDir(), "export.yaml")
	if err := os.WriteFile(file, []byte(exported), 0o644); err != nil {
		t.Fatal(err)
	}
	before := dump(t, path)
	out := mustRun(t, url, "topo", "import", "--prune", file)
	if !strings.Contains(out, "no changes") {
		t.Errorf("re-importing the export with --prune: %q, want no changes", out)
	}
	if after := dump(t, path); after != before {
		t.Error("re-importing the export changed the store")
	}
	// A fresh store built from the export has the block as expanded.
	fresh := "sqlite://" + filepath.Join(t.TempDir(), "fresh.db")
	mustRun(t, fresh, "topo", "import", file)
	if got := mustRun(t, fresh, "sql", "SELECT cidr, source FROM subnets WHERE tor_id = 't1' ORDER BY cidr"); !strings.Contains(got, "10.9.0.32/28\texpand") {
		t.Errorf("imported export: %q, want the block expanded", got)
	}
	// The original file, without the block, with --prune: refused, nothing removed.
	orig := filepath.Join(t.TempDir(), "orig.yaml")
	if err := os.WriteFile(orig, []byte(expandFile), 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, url, "topo", "import", "--prune", orig)
	if r.code == 0 || !strings.Contains(r.stderr, "10.9.0.32/28") {
		t.Errorf("prune of a used expanded block: exit %d, stderr %q, want a refusal naming it", r.code, r.stderr)
	}
	if after := dump(t, path); after != before {
		t.Error("a refused prune changed the store")
	}
}

// envNow is store.EnvNow: the clock of a netipam process.
const envNow = "NETIPAM_NOW"

// withoutExpansion stops the store at url growing TORs (max_subnets_per_tor
// 1, imported without --prune, so the topology stays): for the tests of
// what a full TOR answers.
func withoutExpansion(t *testing.T, url string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "no-expansion.yaml")
	if err := os.WriteFile(file, []byte("topology:\n  expansion:\n    max_subnets_per_tor: 1\n  zones: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mustRun(t, url, "topo", "import", file)
}

// The expansion: settings are stored by topo import (in its batch, as a
// change of the plan), exported, kept by an import of a file without them,
// and dropped (defaults) by such an import with --prune.
func TestExpansionSettingsImportExport(t *testing.T) {
	t.Parallel()
	url, path := seededExpand(t)
	dir := t.TempDir()
	with := filepath.Join(dir, "with.yaml")
	settings := "topology:\n  expansion:\n    threshold: 0.9\n    prefix_length: {ipv4: 27}\n    reclaim_grace: 2d\n    purposes:\n      storage: {threshold: 0.5}\n"
	if err := os.WriteFile(with, []byte(strings.Replace(expandFile, "topology:\n", settings, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	out := mustRun(t, url, "topo", "import", with)
	if !strings.Contains(out, "~ expansion settings: defaults -> threshold 0.9, prefix_length ipv4 27, reclaim_grace 2d, storage: threshold 0.5") {
		t.Fatalf("import printed %q", out)
	}
	exported := mustRun(t, url, "topo", "export")
	if !strings.Contains(exported, "  expansion:\n    threshold: 0.9\n    prefix_length:\n      ipv4: 27\n    reclaim_grace: 2d\n    purposes:\n      storage:\n        threshold: 0.5\n") {
		t.Fatalf("export:\n%s", exported)
	}
	if out := mustRun(t, url, "subnet", "expand", "--tor", "t1", "--dry-run"); !strings.Contains(out, "threshold 90%") || !strings.Contains(out, "block 10.9.0.32/27") {
		t.Errorf("the plan does not use the stored settings: %q", out)
	}
	without := filepath.Join(dir, "without.yaml")
	if err := os.WriteFile(without, []byte(expandFile), 0o644); err != nil {
		t.Fatal(err)
	}
	before := dump(t, path)
	if out := mustRun(t, url, "topo", "import", without); !strings.Contains(out, "no changes") {
		t.Errorf("a file without settings changed them: %q", out)
	}
	if dump(t, path) != before {
		t.Error("a file without settings changed the store")
	}
	if out := mustRun(t, url, "topo", "import", "--prune", without); !strings.Contains(out, "~ expansion settings: threshold 0.9, prefix_length ipv4 27, reclaim_grace 2d, storage: threshold 0.5 -> defaults") {
		t.Errorf("--prune of a file without settings: %q", out)
	}
	if n := sqlRows(t, path, `SELECT COUNT(*) FROM settings`); n[0] != "0" {
		t.Errorf("%s settings rows after --prune, want 0", n[0])
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte(strings.Replace(expandFile, "topology:\n", "topology:\n  expansion:\n    threshold: 2\n", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	before = dump(t, path)
	r := run(t, url, "topo", "import", bad)
	if r.code != 2 || !strings.Contains(r.stderr, "bad.yaml:3: expansion.threshold: threshold \"2\": write a ratio above 0 and at most 1") {
		t.Errorf("bad threshold: exit %d, stderr %q", r.code, r.stderr)
	}
	if dump(t, path) != before {
		t.Error("a refused file changed the store")
	}
}
