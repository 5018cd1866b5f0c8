package cmd

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/netipam/netipam/store/storetest"
)

// TestAllocReleasePathsUseIndexes runs the CLI's alloc and release in
// process against a real SQLite store and asks the engine how it runs each
// statement they sent: none may scan a table or search allocations or
// events by a column that does not bound the rows read.
func TestAllocReleasePathsUseIndexes(t *testing.T) {
	st, rec := storetest.DemoRecorded(t)
	for _, tc := range []struct {
		what string
		args []string
	}{
		{"alloc", []string{"alloc", "--node", "node-01"}},
		{"alloc --container", []string{"alloc", "--node", "node-01", "--container", "c1", "--network", "rack-net", "--pod", "ns/web-0"}},
		{"alloc --container again", []string{"alloc", "--node", "node-01", "--container", "c1", "--network", "rack-net"}},
		{"alloc --ip", []string{"alloc", "--node", "node-02", "--ip", "10.244.0.99"}},
		{"alloc --count", []string{"alloc", "--node", "node-03", "--family", "4", "--count", "20"}},
		{"release --ip", []string{"release", "--ip", "10.244.0.99"}},
		{"release --container", []string{"release", "--network", "rack-net", "--container", "c1", "--ifname", "eth0", "--node", "node-01"}},
		{"release --container (CLI network)", []string{"release", "--container", "c9"}},
		{"release --node", []string{"release", "--node", "node-03"}},
	} {
		var out, errb bytes.Buffer
		a := &app{io: IOStreams{Out: &out, Err: &errb}, st: st}
		root := newRoot(a)
		root.SetArgs(tc.args)
		if err := root.ExecuteContext(context.Background()); err != nil && !strings.Contains(err.Error(), "nothing released") {
			t.Fatalf("%s: %v\n%s", tc.what, err, errb.String())
		}
		storetest.AssertIndexed(t, rec.Backend, tc.what, rec.Take())
	}
}
