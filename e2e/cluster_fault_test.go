package e2e

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/netipam/netipam/store"
)

// TestClusterLeaderKilledLosesNothing is the concurrency test with a fault:
// while 8 workers allocate 2,000 addresses (each call for its own container,
// so that a retry is idempotent), the rqlite leader is SIGKILLed. Calls
// that answer exit 6 (no leader, or a write whose outcome is unknown) are
// retried, bounded in count and time; allocation resumes once a new leader
// is elected. Afterwards every address a process printed is in the table
// for the container it was printed for, no address is held twice, nothing
// is in the table that no process printed (a retry after an unknown
// outcome got the same address back), and the killed member, restarted,
// converges to the same rows.
func TestClusterLeaderKilledLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("2,000 netipam processes against a cluster")
	}
	c := startRqlite(t)
	seedCluster(t, c)
	l := newLedger()
	var acked atomic.Int64
	var afterKill atomic.Int64
	var killed atomic.Bool
	var wg sync.WaitGroup
	for w := 0; w < clusterNodes; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			url := memberFirst(c, w)
			node := fmt.Sprintf("n%d", w)
			for call := 0; call < clusterTotal/clusterNodes; call++ {
				ctr := fmt.Sprintf("c%d-%d", w, call)
				r, retries := allocWithRetry(t, url, "alloc", "--node", node, "--container", ctr, "--ifname", "eth0", "-o", "json")
				l.exit(r.code)
				l.mu.Lock()
				l.retries += retries
				l.mu.Unlock()
				if r.code != 0 {
					t.Errorf("%s %s: exit %d after %d retries: %s", node, ctr, r.code, retries, r.stderr)
					return
				}
				as, err := parseAllocs(r.stdout)
				if err != nil || len(as) != 1 || as[0].Node != node || as[0].Container != ctr {
					t.Errorf("%s %s: output %q: %v", node, ctr, r.stdout, err)
					return
				}
				l.record(t, node+" "+ctr, as)
				acked.Add(1)
				if killed.Load() {
					afterKill.Add(1)
				}
			}
		}(w)
	}

	// Kill the leader (from the test's goroutine) once a third is done.
	deadline := time.Now().Add(3 * time.Minute)
	for acked.Load() < clusterTotal/3 && time.Now().Before(deadline) && !t.Failed() {
		time.Sleep(20 * time.Millisecond)
	}
	victim, err := c.Leader()
	if err != nil {
		t.Fatal(err)
	}
	before := acked.Load()
	killed.Store(true)
	c.Kill(victim)
	t.Logf("killed leader node%d after %d acknowledged allocations", victim, before)
	if _, err := c.WaitLeader(30 * time.Second); err != nil {
		t.Error(err)
	}
	wg.Wait()
	t.Logf("exits %v, %d exit-6 answers retried, %d allocations acknowledged after the kill",
		l.exits, l.retries, afterKill.Load())
	if t.Failed() {
		return
	}
	if before == 0 || afterKill.Load() == 0 {
		t.Fatalf("the kill was not in the middle of the run: %d before, %d after", before, afterKill.Load())
	}
	if len(l.printed) != clusterTotal {
		t.Fatalf("%d distinct addresses printed, want %d", len(l.printed), clusterTotal)
	}
	live := memberFirst(c, victim+1)
	table, events := clusterTable(t, live+"?level=strong")
	assertTableMatches(t, table, l.printed)
	if events != int64(clusterTotal) {
		t.Errorf("%d allocate events in the ledger, want %d", events, clusterTotal)
	}

	// The killed member comes back and catches up: its own copy (level=none,
	// read from it alone) holds the same rows, within a bounded wait.
	c.Restart(victim)
	local := "rqlite://" + c.Addrs()[victim] + "?level=none&timeout=3s"
	var got int
	var lastErr error
	until := time.Now().Add(60 * time.Second)
	for try := 0; try < 300 && time.Now().Before(until); try++ {
		got, lastErr = countOn(local)
		if lastErr == nil && got == len(table) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if got != len(table) {
		t.Fatalf("restarted node%d holds %d allocations (%v), the cluster %d", victim, got, lastErr, len(table))
	}
	mine, _ := clusterTable(t, local)
	for a, r := range table {
		if mine[a] != r {
			t.Errorf("restarted node%d: %s is %v, the cluster says %v", victim, a, mine[a], r)
		}
	}
}

// countOn counts the allocations one store URL sees.
func countOn(url string) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	db, err := store.OpenBackend(ctx, url)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	rows, err := db.Query(ctx, store.Q(`SELECT COUNT(*) FROM allocations`))
	if err != nil {
		return 0, err
	}
	var n int64
	for rows.Next() {
		if err := rows.Scan(&n); err != nil {
			return 0, err
		}
	}
	return int(n), rows.Err()
}
