package cmd

import (
	"bytes"
	"context"
	"testing"

	"github.com/netipam/netipam/store/storetest"
)

// TestExpansionPathsUseIndexes runs subnet expand, an allocation that
// finds its TOR full and grows it, and subnet reclaim in process against
// a real SQLite store, and asks the engine how it runs each statement
// they sent: none may scan a table or search allocations or events by a
// column that does not bound the rows read.
func TestExpansionPathsUseIndexes(t *testing.T) {
	st, rec := storetest.DemoRecorded(t)
	for _, tc := range []struct {
		what string
		args []string
	}{
		{"subnet expand --dry-run", []string{"subnet", "expand", "--tor", "tor-1", "--purpose", "management", "--dry-run"}},
		{"subnet expand", []string{"subnet", "expand", "--tor", "tor-1", "--purpose", "management"}},
		{"alloc past the threshold", []string{"alloc", "--node", "node-01", "--purpose", "management", "--count", "100"}},
		{"subnet reclaim", []string{"subnet", "reclaim", "--grace", "1h"}},
	} {
		var out, errb bytes.Buffer
		a := &app{io: IOStreams{Out: &out, Err: &errb}, st: st}
		root := newRoot(a)
		root.SetArgs(tc.args)
		if err := root.ExecuteContext(context.Background()); err != nil {
			t.Fatalf("%s: %v\n%s", tc.what, err, errb.String())
		}
		storetest.AssertIndexed(t, rec.Backend, tc.what, rec.Take())
	}
}
