package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTopoImportIsADiff: re-importing changes nothing, --dry-run prints a
// change without making it, a changed file applies as a diff, and export
// round-trips with import.
func TestTopoImportIsADiff(t *testing.T) {
	t.Parallel()
	url, path := seeded(t)
	before := dump(t, path)
	if out := mustRun(t, url, "topo", "import", repoPath("testdata/topology.yaml")); !strings.Contains(out, "no changes") {
		t.Fatalf("re-import said:\n%s", out)
	}
	if dump(t, path) != before {
		t.Fatal("re-importing an unchanged file changed the database")
	}

	orig, err := os.ReadFile(repoPath("testdata/topology.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(orig), `name: "TOR-R02-01"`, `name: "TOR-R02-01-renamed"`, 1)
	changed = strings.Replace(changed, `                - cidr: "10.244.12.0/24"`,
		"                - cidr: \"10.244.13.0/24\"\n                  purpose: backup\n                - cidr: \"10.244.12.0/24\"", 1)
	if changed == string(orig) {
		t.Fatal("the test's edits did not apply to testdata/topology.yaml")
	}
	file := filepath.Join(t.TempDir(), "changed.yaml")
	if err := os.WriteFile(file, []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	dry := mustRun(t, url, "topo", "import", file, "--dry-run")
	for _, want := range []string{"+ subnet 10.244.13.0/24", "~ tor tor-2", "dry run: 2 change(s)"} {
		if !strings.Contains(dry, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, dry)
		}
	}
	if dump(t, path) != before {
		t.Fatal("--dry-run changed the database")
	}
	if out := mustRun(t, url, "topo", "import", file); !strings.Contains(out, "applied 2 change(s)") {
		t.Fatalf("import of the changed file said:\n%s", out)
	}
	if out := mustRun(t, url, "alloc", "--node", "node-03", "--purpose", "backup"); !strings.Contains(out, "10.244.13.") {
		t.Fatalf("the new subnet does not serve tor-2's nodes:\n%s", out)
	}

	exported := filepath.Join(t.TempDir(), "exported.yaml")
	if err := os.WriteFile(exported, []byte(mustRun(t, url, "topo", "export")), 0o644); err != nil {
		t.Fatal(err)
	}
	if out := mustRun(t, url, "topo", "import", exported); !strings.Contains(out, "no changes") {
		t.Fatalf("importing the export changed something:\n%s", out)
	}
	fresh := "sqlite://" + filepath.Join(t.TempDir(), "fresh.db")
	mustRun(t, fresh, "topo", "import", exported)
	if a, b := mustRun(t, fresh, "topo", "export"), mustRun(t, url, "topo", "export"); a != b {
		t.Fatalf("export of a store built from an export differs:\n%s\n---\n%s", a, b)
	}
}
