package cmd

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/netipam/netipam/store"
)

func init() {
	// Styles are the terminal's business: the golden tables and trees show
	// layout, the same wherever the tests run.
	lipgloss.SetColorProfile(termenv.Ascii)
}

// clock gives strictly increasing times from a fixed start, one
// millisecond per reading: what the store records is the same every run.
func clock() func() time.Time {
	t0 := time.Date(2026, 11, 21, 14, 5, 0, 0, time.UTC)
	n := 0
	return func() time.Time { n++; return t0.Add(time.Duration(n) * time.Millisecond) }
}

// testStore opens a fresh SQLite store in t.TempDir() with an injected
// clock and actor.
func testStore(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), "sqlite://"+filepath.Join(t.TempDir(), "netipam.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	st.Now = clock()
	st.Actor = "tester@host"
	return st
}

// out is what one command printed and its exit status.
type out struct {
	code        int
	stdout, err string
}

// runOn runs one netipam command in-process on st, as the binary would
// (errors printed by printError, the status from ExitCode), with Out a
// terminal when tty is set.
func runOn(t testing.TB, st *store.Store, tty bool, args ...string) out {
	t.Helper()
	var o, e bytes.Buffer
	a := &app{io: IOStreams{In: strings.NewReader(""), Out: &o, Err: &e, TTY: tty}, st: st}
	root := newRoot(a)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	if err != nil {
		printError(a.io, err)
	}
	return out{code: ExitCode(err), stdout: o.String(), err: e.String()}
}

// mustOn runs a command that must succeed and gives its stdout.
func mustOn(t testing.TB, st *store.Store, args ...string) string {
	t.Helper()
	r := runOn(t, st, false, args...)
	if r.code != 0 {
		t.Fatalf("netipam %s: exit %d\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.err)
	}
	return r.stdout
}

// goldenStore is the fixed store of the golden tests, built through the
// commands themselves: the topology and nodes of testdata/, addresses for
// a node and for a container, one of them released again.
func goldenStore(t testing.TB) *store.Store {
	t.Helper()
	st := testStore(t)
	mustOn(t, st, "topo", "import", "testdata/topology.yaml")
	mustOn(t, st, "node", "import", "testdata/nodes.yaml")
	mustOn(t, st, "alloc", "--node", "node-01")
	mustOn(t, st, "alloc", "--node", "node-01", "--container", "c1", "--ifname", "eth0", "--pod", "web/web-0")
	mustOn(t, st, "alloc", "--node", "node-02", "--family", "4", "--count", "3")
	mustOn(t, st, "alloc", "--node", "node-01", "--purpose", "storage", "--ip", "10.0.1.10")
	mustOn(t, st, "release", "--ip", "10.0.1.10")
	return st
}
