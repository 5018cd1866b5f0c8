package e2e

import (
	"fmt"
	"sync"
	"testing"
)

// TestClusterProcessesNeverShareAnAddress runs 8 workers, one per node of
// one TOR, each pointing its netipam processes at a different member of a
// 3-node rqlite cluster first (followers forward writes to the leader).
// Together they allocate 2,000 addresses, one process call each, so
// every process rebuilds its pool from the table and races the others for
// the same candidates. No address may be printed twice, none lost: the
// allocations table, its ledger and the processes' outputs agree exactly.
func TestClusterProcessesNeverShareAnAddress(t *testing.T) {
	if testing.Short() {
		t.Skip("2,000 netipam processes against a cluster")
	}
	c := startRqlite(t)
	seedCluster(t, c)
	l := newLedger()
	var wg sync.WaitGroup
	for w := 0; w < clusterNodes; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			url := memberFirst(c, w)
			node := fmt.Sprintf("n%d", w)
			for call := 0; call < clusterTotal/clusterNodes; call++ {
				r, retries := allocWithRetry(t, url, "alloc", "--node", node, "-o", "json")
				l.exit(r.code)
				l.mu.Lock()
				l.retries += retries
				l.mu.Unlock()
				if r.code != 0 {
					t.Errorf("%s call %d: exit %d: %s", node, call, r.code, r.stderr)
					return
				}
				as, err := parseAllocs(r.stdout)
				if err != nil || len(as) != 1 || as[0].Node != node {
					t.Errorf("%s call %d: output %q: %v", node, call, r.stdout, err)
					return
				}
				l.record(t, fmt.Sprintf("%s call %d", node, call), as)
			}
		}(w)
	}
	wg.Wait()
	t.Logf("exits %v, %d exit-6 answers retried", l.exits, l.retries)
	if t.Failed() {
		return
	}
	if len(l.printed) != clusterTotal {
		t.Fatalf("%d distinct addresses printed, want %d", len(l.printed), clusterTotal)
	}
	table, events := clusterTable(t, memberFirst(c, 0)+"?level=strong")
	assertTableMatches(t, table, l.printed)
	if events != int64(clusterTotal) {
		t.Errorf("%d allocate events in the ledger, want %d", events, clusterTotal)
	}
}

// assertTableMatches checks that the table holds exactly what was printed,
// each address with the node (and container) it was printed for.
func assertTableMatches(t *testing.T, table map[string]tableRow, printed map[string]clusterAlloc) {
	t.Helper()
	for a, p := range printed {
		r, ok := table[a]
		switch {
		case !ok:
			t.Errorf("%s was printed for %s but is not in the table", a, p.Node)
		case r.node != p.Node || r.container != p.Container:
			t.Errorf("%s printed for %s/%s, the table says %s/%s", a, p.Node, p.Container, r.node, r.container)
		}
	}
	for a, r := range table {
		if _, ok := printed[a]; !ok {
			t.Errorf("%s is in the table (%s/%s) but no process printed it", a, r.node, r.container)
		}
	}
	if len(table) != len(printed) {
		t.Errorf("table holds %d allocations, processes printed %d", len(table), len(printed))
	}
}
