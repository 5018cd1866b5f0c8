package e2e

import (
	"database/sql"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// tree lists every path under dir (relative), to see that nothing was
// created.
func tree(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, _ os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out = append(out, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestMissingStoreIsNeverCreated: every command that does not create
// topology, on a store path that does not exist, fails with exit 7 and one
// line naming the path and how to create it, and creates no file and no
// directory.
func TestMissingStoreIsNeverCreated(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "typo", "netipam.db")
	url := "sqlite://" + path
	for _, args := range [][]string{
		{"usage"},
		{"sql", "SELECT 1"},
		{"history", "--ip", "10.244.0.7"},
		{"topo", "show"},
		{"topo", "export"},
		{"topo", "import", "--dry-run", repoPath("testdata/topology.yaml")},
		{"node", "list"},
		{"subnet", "list"},
		{"alloc", "--node", "node-01"},
		{"release", "--container", "c1"},
	} {
		r := run(t, url, args...)
		if r.code != 7 {
			t.Errorf("netipam %v on a missing store: exit %d, want 7; stderr %q", args, r.code, r.stderr)
		}
		if !strings.Contains(r.stderr, path) || !strings.Contains(r.stderr, "netipam init") ||
			strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("netipam %v: stderr %q: want one line naming %s and `netipam init`", args, r.stderr, path)
		}
		if got := tree(t, dir); !slices.Equal(got, []string{"."}) {
			t.Fatalf("netipam %v created %v", args, got)
		}
	}
}

// TestStoreWithoutSchemaIsNotAStore: an existing empty file (or any SQLite
// file without netipam's tables) is refused by commands that do not create
// a store, and left as it was.
func TestStoreWithoutSchemaIsNotAStore(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "netipam.db")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"alloc", "--node", "node-01"}, {"usage"}} {
		r := run(t, "sqlite://"+path, args...)
		if r.code != 7 || !strings.Contains(r.stderr, "has no netipam schema") {
			t.Errorf("netipam %v: exit %d, stderr %q: want 7, 'has no netipam schema'", args, r.code, r.stderr)
		}
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() != 0 {
		t.Fatalf("the empty file changed: %v %v", fi, err)
	}
}

// TestInitCreatesTheStore: `netipam init` creates the directory, file and
// schema and says where; a second run changes nothing; commands then work.
func TestInitCreatesTheStore(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "new", "dir", "netipam.db")
	url := "sqlite://" + path
	out := mustRun(t, url, "init")
	if !strings.Contains(out, "created store "+url) {
		t.Fatalf("init said %q, want 'created store %s'", out, url)
	}
	before := dump(t, path)
	if out := mustRun(t, url, "init"); !strings.Contains(out, "exists") {
		t.Fatalf("second init said %q, want that the store exists", out)
	}
	if dump(t, path) != before {
		t.Fatal("a second init changed the store")
	}
	if out := mustRun(t, url, "init", "-o", "json"); !strings.Contains(out, `"created": false`) {
		t.Fatalf("init -o json: %q", out)
	}
	mustRun(t, url, "usage")
	mustRun(t, url, "topo", "import", repoPath("testdata/topology.yaml"))
}

// TestDeletedStoreDirectoryIsNotRecreated: removing the store's directory
// under running allocators makes the next calls fail; none of them, CLI or
// CNI, starts an empty store in its place.
func TestDeletedStoreDirectoryIsNotRecreated(t *testing.T) {
	t.Parallel()
	url, path := seeded(t)
	mustRun(t, url, "alloc", "--node", "node-01", "--container", "c1")
	dir := filepath.Dir(path)
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	r := run(t, url, "alloc", "--node", "node-01", "--container", "c2")
	if r.code != 7 || !strings.Contains(r.stderr, path+" does not exist") {
		t.Errorf("alloc after the directory was removed: exit %d, stderr %q; want 7 and %q", r.code, r.stderr, path+" does not exist")
	}
	e := cniFail(t, cniCall{command: "ADD", container: "c3", conf: netConf("1.0.0", url, `"node": "node-01"`)})
	if e.Code != 7 || !strings.Contains(e.Msg, path) {
		t.Errorf("CNI ADD after the directory was removed: %+v, want code 7 naming %s", e, path)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("the store's directory reappeared: %v", err)
	}
}

// TestCNIOnMistypedStoreFails: every CNI command on a store path that does
// not exist fails with code 7 naming the path; DEL does not answer success
// (which would leak the real allocation), and nothing is created.
func TestCNIOnMistypedStoreFails(t *testing.T) {
	t.Parallel()
	url, path := seeded(t)
	cniOK(t, cniCall{command: "ADD", container: "c1", conf: netConf("1.0.0", url, `"node": "node-01"`)})
	before := dump(t, path)
	dir := t.TempDir()
	typo := filepath.Join(dir, "netipam", "netipam.db")
	for _, cmd := range []string{"ADD", "DEL", "CHECK", "STATUS"} {
		conf := netConf("1.1.0", "sqlite://"+typo, `"node": "node-01"`)
		if cmd == "CHECK" {
			conf = netConf("1.0.0", "sqlite://"+typo, `"node": "node-01"`,
				`"prevResult": {"cniVersion": "1.0.0", "ips": [{"address": "10.244.0.2/24"}]}`)
		}
		e := cniFail(t, cniCall{command: cmd, container: "c1", conf: conf})
		if e.Code != 7 || !strings.Contains(e.Msg, typo) {
			t.Errorf("CNI %s on a mistyped store: %+v, want code 7 naming %s", cmd, e, typo)
		}
	}
	if got := tree(t, dir); !slices.Equal(got, []string{"."}) {
		t.Fatalf("CNI calls created %v", got)
	}
	if dump(t, path) != before {
		t.Fatal("the real store changed")
	}
}

// TestBadStoreURLIsAUsageError: a store URL that names no store is how
// netipam was called: exit 2, and nothing is created.
func TestBadStoreURLIsAUsageError(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, c := range []struct{ url, want string }{
		{"postgres://db/netipam", "unknown scheme"},
		{"sqlite://", "no file path"},
		{"sqlite://" + dir + "/", "no file path"},
		{"sqlite://" + dir, "is a directory"},
		{"sqlite://" + dir + "/x.db?mode=memory", "no parameters"},
		{"rqlite://", "no hosts"},
		{"rqlite://db1", "host:port"},
		{"rqlite://db1:99999", "not a port number"},
		{"rqlite://db1:4001?level=eventual", "level"},
	} {
		for _, args := range [][]string{{"usage"}, {"topo", "import", repoPath("testdata/topology.yaml")}} {
			r := run(t, c.url, args...)
			if r.code != 2 || !strings.Contains(r.stderr, c.want) {
				t.Errorf("--store %s %v: exit %d, stderr %q; want 2 and %q", c.url, args, r.code, r.stderr, c.want)
			}
		}
	}
	if got := tree(t, dir); !slices.Equal(got, []string{"."}) {
		t.Fatalf("bad URLs created %v", got)
	}
}

// TestReadOnlyOpenNeverMigrates: a store whose schema is older than the
// binary is not upgraded by a read command (which may run where the store
// cannot be written): it says to run `netipam init`, and changes nothing.
func TestReadOnlyOpenNeverMigrates(t *testing.T) {
	t.Parallel()
	url, path := seeded(t)
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	// Forget the newest migration, as a store written by an older netipam
	// would lack it.
	if _, err := db.Exec(`DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before := dump(t, path)
	for _, args := range readCommands() {
		r := run(t, url, args...)
		if r.code != 7 || !strings.Contains(r.stderr, "older netipam") || !strings.Contains(r.stderr, "netipam init --store "+url) {
			t.Errorf("netipam %v on an older schema: exit %d, stderr %q; want 7 and `netipam init`", args, r.code, r.stderr)
		}
	}
	if dump(t, path) != before {
		t.Fatal("a read command changed a store with an older schema")
	}
}
