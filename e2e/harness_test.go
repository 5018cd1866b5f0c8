package e2e

import (
	"bytes"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// binary is the netipam executable built once for the whole-binary tests.
var binary string

// repoRoot is the module's root directory, where its main package and
// testdata/ are; TestMain sets it.
var repoRoot string

// repoPath is rel (slash-separated, e.g. "testdata/topology.yaml") under
// the module's root.
func repoPath(rel string) string {
	return filepath.Join(repoRoot, filepath.FromSlash(rel))
}

// moduleRoot is the directory of the go.mod of the module the tests are in.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("find the module root: go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("find the module root: go env GOMOD is %q: run the tests inside the netipam module", gomod)
	}
	return filepath.Dir(gomod), nil
}

// goBuild is `go build args...` of the module's main package (the module
// root), to be run.
func goBuild(args ...string) *exec.Cmd {
	cmd := exec.Command("go", append(append([]string{"build"}, args...), ".")...)
	cmd.Dir = repoRoot
	return cmd
}

// testClockTag is the build tag under which netipam honours store.EnvNow.
const testClockTag = "netipam_testclock"

func TestMain(m *testing.M) {
	root, err := moduleRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	repoRoot = root
	dir, err := os.MkdirTemp("", "netipam-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "netipam")
	// Built as `make build` builds it: static and stripped. Under -short,
	// with the flags of the test build itself, so that a cold build cache
	// compiles every package once, not twice (-trimpath changes every
	// package's build key). With the build tag netipam_testclock, so that
	// the tests can set the clock (store.EnvNow); the shipped binary
	// ignores it (TestShippedBinaryIgnoresClockOverride).
	flag.Parse()
	shortRun()
	build := goBuild("-tags", testClockTag, "-trimpath", "-ldflags", "-s -w", "-o", binary)
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if testing.Short() {
		build = goBuild("-tags", testClockTag, "-o", binary)
	}
	out, err := build.CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build netipam: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is what one netipam process did.
type result struct {
	code           int
	stdout, stderr string
}

// run starts netipam with args against a store, bounded in time.
func run(t testing.TB, storeURL string, args ...string) result {
	t.Helper()
	return runWith(t, storeURL, nil, "", args...)
}

// runWith is run with more environment (NAME=value) and stdin.
func runWith(t testing.TB, storeURL string, env []string, stdin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(append(os.Environ(), "NETIPAM_STORE="+storeURL), env...)
	return runCmd(t, cmd, stdin)
}

// runCmd runs a prepared command with stdin, killed after 60 s, and gives
// what it did.
func runCmd(t testing.TB, cmd *exec.Cmd, stdin string) result {
	t.Helper()
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", cmd.Path, err)
	}
	timer := time.AfterFunc(60*time.Second, func() { cmd.Process.Kill() })
	defer timer.Stop()
	err := cmd.Wait()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run %s %v: %v", cmd.Path, cmd.Args[1:], err)
	}
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

func mustRun(t testing.TB, storeURL string, args ...string) string {
	t.Helper()
	r := run(t, storeURL, args...)
	if r.code != 0 {
		t.Fatalf("netipam %s: exit %d\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// seedNow is the clock the seeding helpers record topology and nodes at:
// before any time a test sets, since the ledger refuses an event dated
// more than 5 minutes before its latest (migrations/0009_ledger_time.sql).
const seedNow = "2020-01-01T00:00:00Z"

// mustSeed is mustRun with the clock at seedNow.
func mustSeed(t testing.TB, storeURL string, args ...string) string {
	t.Helper()
	return mustRunAt(t, storeURL, seedNow, "", args...)
}

// seeded gives a SQLite store with the demo topology and nodes imported
// (at seedNow).
func seeded(t testing.TB) (url, path string) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "netipam.db")
	url = "sqlite://" + path
	mustSeed(t, url, "topo", "import", repoPath("testdata/topology.yaml"))
	mustSeed(t, url, "node", "import", repoPath("testdata/nodes.yaml"))
	return url, path
}

// dumpTables are the tables dump compares, every one netipam writes.
var dumpTables = []string{"schema_migrations", "zones", "zone_cidrs", "pods", "pod_cidrs", "tors", "subnets",
	"reservations", "nodes", "allocations", "events", "strategies", "gc_candidates", "gc_runs", "settings", "event_archives", "subnet_counts"}

// dump renders every table of a SQLite file as text, for before/after
// comparison. It opens the file read-only.
func dump(t testing.TB, path string) string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	return renderTables(t, dumpTables, func(q string) (tableRows, error) { return db.Query(q) })
}

// tableRows is a query's result, database/sql's or a store Backend's.
type tableRows interface {
	Columns() ([]string, error)
	Next() bool
	Scan(dest ...any) error
	Close() error
}

// renderTables renders the rows of each table, in rowid order, as text.
func renderTables(t testing.TB, tables []string, query func(string) (tableRows, error)) string {
	t.Helper()
	var b strings.Builder
	for _, tbl := range tables {
		rows, err := query("SELECT * FROM " + tbl + " ORDER BY rowid")
		if err != nil {
			t.Fatalf("dump %s: %v", tbl, err)
		}
		cols, _ := rows.Columns()
		fmt.Fprintf(&b, "== %s %v\n", tbl, cols)
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintln(&b, vals...)
		}
		rows.Close()
	}
	return b.String()
}

// checkIntegrity runs SQLite's own integrity check on the file.
func checkIntegrity(t testing.TB, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var res string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
		t.Fatalf("integrity check: %q %v", res, err)
	}
}

// sqlScan runs a query on a SQLite file, read-only, and gives its columns
// and rows as the driver returns them.
func sqlScan(t testing.TB, path, q string) (cols []string, out [][]any) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ = rows.Columns()
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, vals)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return cols, out
}
