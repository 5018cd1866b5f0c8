package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Four netipam processes, each on another member of a real 3-node rqlite
// cluster, take t1 past the threshold at once: each grows it after its
// allocation if it still needs a block, and together they claim exactly
// one.
func TestClusterConcurrentExpansion(t *testing.T) {
	c := startRqlite(t)
	file := filepath.Join(t.TempDir(), "topology.yaml")
	if err := os.WriteFile(file, []byte(expandFile), 0o644); err != nil {
		t.Fatal(err)
	}
	url := memberFirst(c, 0)
	mustSeed(t, url, "topo", "import", file)
	mustSeed(t, url, "node", "register", "--id", "n1", "--tor", "t1")
	t.Setenv(envNow, time.Now().Add(-48*time.Hour).UTC().Format(time.RFC3339))
	mustRun(t, url, "alloc", "--node", "n1", "--count", "10")
	t.Setenv(envNow, "")
	var wg sync.WaitGroup
	res := make([]result, 4)
	for i := range res {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			res[i] = run(t, memberFirst(c, i), "alloc", "--node", "n1")
		}(i)
	}
	wg.Wait()
	expanded := 0
	for i, r := range res {
		if r.code != 0 {
			t.Errorf("process %d: exit %d: %s", i, r.code, r.stderr)
		}
		if strings.Contains(r.stderr, "expanded TOR t1") {
			expanded++
		}
	}
	out := mustRun(t, url, "sql", "SELECT cidr, source FROM subnets WHERE tor_id = 't1' ORDER BY first_key")
	if got := strings.Count(out, "\texpand"); got != 1 || expanded != 1 {
		t.Errorf("t1's subnets:\n%s\n%d expanded blocks, %d processes said they expanded: want exactly 1", out, got, expanded)
	}
	if ev := mustRun(t, url, "sql", "SELECT COUNT(*) FROM events WHERE kind = 'expand'"); !strings.Contains(ev, "\n1\n") {
		t.Logf("%s", mustRun(t, url, "sql", "SELECT subnet, detail FROM events WHERE kind = 'expand'"))
		t.Errorf("expand events:\n%s want 1", ev)
	}
}
