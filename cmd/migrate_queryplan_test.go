package cmd

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/netipam/netipam/store/storetest"
)

// TestMigrateHostLocalUsesIndexes runs `migrate host-local` in process
// against a real SQLite store and checks every statement it sent uses an
// index: no scan of allocations, events or subnets, however many the store
// holds.
func TestMigrateHostLocalUsesIndexes(t *testing.T) {
	st, rec := storetest.DemoRecorded(t)
	dir := filepath.Join(t.TempDir(), "hlnet")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{"10.244.1.7": "c1\r\neth0", "10.244.1.8": "c2\r\neth0",
		"192.168.0.9": "c3\r\neth0", "lock": "", "last_reserved_ip.0": "10.244.1.8"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, what := range []string{"migrate host-local", "migrate host-local again"} {
		var out, errb bytes.Buffer
		a := &app{io: IOStreams{Out: &out, Err: &errb}, st: st}
		root := newRoot(a)
		root.SetArgs([]string{"migrate", "host-local", "--data-dir", dir, "--network", "hlnet", "--node", "node-01"})
		if err := root.ExecuteContext(context.Background()); err != nil {
			t.Fatalf("%s: %v\n%s", what, err, errb.String())
		}
		storetest.AssertIndexed(t, rec.Backend, what, rec.Take())
	}
}
