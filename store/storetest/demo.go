package storetest

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

// DemoTime is when LoadDemo records the demo's topology and nodes.
var DemoTime = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

// DemoRecorded opens a new SQLite store in t.TempDir() holding the demo
// topology and nodes (testdata/topology.yaml, testdata/nodes.yaml), and
// returns it through a Recorder whose record starts empty.
func DemoRecorded(t testing.TB) (*store.Store, *Recorder) {
	t.Helper()
	ctx := context.Background()
	url := "sqlite://" + filepath.Join(t.TempDir(), "netipam.db")
	st, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	LoadDemo(t, st)
	st.Close()
	db, err := store.OpenBackend(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	rec := &Recorder{Backend: db}
	rs, err := store.New(ctx, rec, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rs.Close() })
	rec.Take()
	return rs, rec
}

// LoadDemo gives a store the demo topology and nodes (testdata/topology.yaml
// and testdata/nodes.yaml), through the store's own API.
func LoadDemo(t testing.TB, st *store.Store) {
	t.Helper()
	ctx := context.Background()
	// The demo's events are dated DemoTime, before any time a test sets:
	// the ledger refuses an event dated well before its latest.
	now := st.Now
	st.Now = func() time.Time { return DemoTime }
	defer func() { st.Now = now }()
	_, self, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(self), "..", "..", "testdata")
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tp, err := topo.ParseTopology("topology.yaml", read("topology.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.ApplyTopology(ctx, tp, false, "demo"); err != nil {
		t.Fatal(err)
	}
	nodes, err := topo.ParseNodes("nodes.yaml", read("nodes.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.UpsertNodes(ctx, nodes); err != nil {
		t.Fatal(err)
	}
}
