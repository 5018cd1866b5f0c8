package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/store/rqlitetest"
)

// The cluster tests run netipam processes against a real 3-node rqlite
// cluster on 127.0.0.1, as if from the nodes of one TOR.
const (
	clusterNodes   = 8    // netipam "nodes" behind the TOR, one worker each
	clusterTotal   = 2000 // addresses allocated in all
	clusterTOR     = "tor-big"
	clusterBigCIDR = "10.100.16.0/20"
)

// startRqlite starts a 3-node cluster, or skips when rqlited is not built
// (CI fails instead: it must be there). An integration test: skipped by
// go test -short.
func startRqlite(t *testing.T) *rqlitetest.Cluster {
	t.Helper()
	if testing.Short() {
		t.Skip("integration: a real rqlite cluster (run without -short, or make test)")
	}
	if _, err := rqlitetest.BinaryPath(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%v: run make rqlited", err)
		}
		t.Skipf("%v: run make rqlited", err)
	}
	return rqlitetest.Start(t, 3)
}

// memberFirst is the cluster's store URL with member i listed first: where
// a netipam process on that machine would point.
func memberFirst(c *rqlitetest.Cluster, i int) string {
	addrs := c.Addrs()
	i %= len(addrs)
	return "rqlite://" + strings.Join(append(addrs[i:], addrs[:i]...), ",")
}

const clusterTopology = `topology:
  zones:
    - id: zone-c
      cidr: "10.100.0.0/16"
      pods:
        - id: pod-c
          cidr: "10.100.0.0/18"
          tors:
            - id: tor-big
              subnets:
                - cidr: "10.100.0.0/24"
                  purpose: "default"
`

// seedCluster imports one TOR with a /24, adds a /20 to it with `subnet
// add`, and registers the worker nodes n0..n7 behind it.
func seedCluster(t *testing.T, c *rqlitetest.Cluster) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "topology.yaml")
	if err := os.WriteFile(file, []byte(clusterTopology), 0o644); err != nil {
		t.Fatal(err)
	}
	url := memberFirst(c, 0)
	mustSeed(t, url, "topo", "import", file)
	mustSeed(t, url, "subnet", "add", "--tor", clusterTOR, "--cidr", clusterBigCIDR)
	for n := 0; n < clusterNodes; n++ {
		mustSeed(t, memberFirst(c, n), "node", "register", "--id", fmt.Sprintf("n%d", n), "--tor", clusterTOR)
	}
}

// clusterAlloc is what `netipam alloc -o json` prints per address.
type clusterAlloc struct {
	Address   string `json:"address"`
	Subnet    string `json:"subnet"`
	Node      string `json:"node"`
	Container string `json:"container"`
}

// parseAllocs decodes a process's JSON output.
func parseAllocs(out string) ([]clusterAlloc, error) {
	var as []clusterAlloc
	err := json.Unmarshal([]byte(out), &as)
	return as, err
}

// tableRow is one row of the allocations table as the cluster has it.
type tableRow struct{ node, container string }

// clusterTable reads the whole allocations table (address -> owner) and
// the number of "allocate" events through url, failing on a duplicate
// address (which the schema makes impossible).
func clusterTable(t *testing.T, url string) (map[string]tableRow, int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := store.OpenBackend(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(ctx, store.Q(`SELECT address, node_id, COALESCE(container, '') FROM allocations`))
	if err != nil {
		t.Fatalf("read allocations: %v", err)
	}
	table := map[string]tableRow{}
	for rows.Next() {
		var a string
		var r tableRow
		if err := rows.Scan(&a, &r.node, &r.container); err != nil {
			t.Fatal(err)
		}
		if _, dup := table[a]; dup {
			t.Fatalf("%s twice in the allocations table", a)
		}
		table[a] = r
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var events int64
	ev, err := db.Query(ctx, store.Q(`SELECT COUNT(*) FROM events WHERE kind = 'allocate'`))
	if err != nil {
		t.Fatalf("count events: %v", err)
	}
	for ev.Next() {
		if err := ev.Scan(&events); err != nil {
			t.Fatal(err)
		}
	}
	return table, events
}

// ledger collects what the processes printed, safe for the workers.
type ledger struct {
	mu      sync.Mutex
	printed map[string]clusterAlloc // address -> allocation
	exits   map[int]int
	retries int // exit-6 answers that were retried
}

func newLedger() *ledger {
	return &ledger{printed: map[string]clusterAlloc{}, exits: map[int]int{}}
}

// record adds one process's printed allocations; it reports an address
// printed twice to different owners.
func (l *ledger) record(t *testing.T, who string, as []clusterAlloc) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, a := range as {
		if prev, dup := l.printed[a.Address]; dup && (prev.Node != a.Node || prev.Container != a.Container || a.Container == "") {
			t.Errorf("%s handed out twice: to %s/%s and to %s (%s)", a.Address, prev.Node, prev.Container, a.Node, who)
		}
		l.printed[a.Address] = a
	}
}

func (l *ledger) exit(code int) {
	l.mu.Lock()
	l.exits[code]++
	l.mu.Unlock()
}

// retryCall bounds how a worker retries a call that exited 6 (no leader,
// or a write whose outcome is unknown): by count and by time.
const (
	retryMax   = 60
	retryFor   = 60 * time.Second
	retryPause = 250 * time.Millisecond
)

// allocWithRetry runs `netipam alloc` until it exits other than 6, at most
// retryMax times within retryFor, and returns the last result and how many
// times it was retried.
func allocWithRetry(t *testing.T, url string, args ...string) (result, int) {
	t.Helper()
	deadline := time.Now().Add(retryFor)
	var r result
	for try := 0; try < retryMax; try++ {
		r = run(t, url, args...)
		if r.code != 6 || time.Now().After(deadline) {
			return r, try
		}
		time.Sleep(retryPause)
	}
	return r, retryMax
}
