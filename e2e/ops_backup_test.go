package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// TestBackupUnderLoad takes a backup while several processes allocate,
// then checks the backup: sound (check exits 0), and holding every
// allocation acknowledged before the backup started.
func TestBackupUnderLoad(t *testing.T) {
	t.Parallel()
	url, _ := seeded(t)
	nodes := []string{"node-01", "node-03", "node-05", "node-07"}
	var (
		mu      sync.Mutex
		acked   []string // containers whose alloc exited 0 before the backup started
		started atomic.Bool
		stop    atomic.Bool
		wg      sync.WaitGroup
		done    atomic.Int64
	)
	for w, node := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 60 && !stop.Load(); i++ {
				c := fmt.Sprintf("w%d-%d", w, i)
				r := run(t, url, "alloc", "--node", node, "--container", c, "--family", "4")
				if r.code != 0 {
					t.Errorf("alloc %s on %s: exit %d\n%s", c, node, r.code, r.stderr)
					return
				}
				done.Add(1)
				if !started.Load() { // acknowledged before the backup started
					mu.Lock()
					acked = append(acked, c)
					mu.Unlock()
				}
			}
		}()
	}
	// Let the writers get going (bounded: at most the 240 allocations).
	for i := 0; done.Load() < 8 && i < 2000; i++ {
		run(t, url, "check") // a read while they write, and a short wait
	}
	mu.Lock()
	started.Store(true)
	before := append([]string(nil), acked...)
	mu.Unlock()
	backup := filepath.Join(t.TempDir(), "backup.db")
	out := mustRun(t, url, "backup", backup)
	if !strings.Contains(out, "backed up") {
		t.Errorf("backup said %q", out)
	}
	stop.Store(true)
	wg.Wait()
	if len(before) < 8 {
		t.Fatalf("only %d allocations before the backup", len(before))
	}
	if r := run(t, "sqlite://"+backup, "check"); r.code != 0 {
		t.Fatalf("check of the backup: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	got := mustRun(t, "sqlite://"+backup, "sql", "--limit", "0", "-o", "csv", "SELECT container FROM allocations")
	have := map[string]bool{}
	for _, l := range strings.Split(got, "\n") {
		have[strings.TrimSpace(l)] = true
	}
	for _, c := range before {
		if !have[c] {
			t.Errorf("allocation of %s, acknowledged before the backup started, is not in the backup", c)
		}
	}
	t.Logf("%d allocations acknowledged before the backup, %d in it, %d in all", len(before), len(have)-2, done.Load())
	// The source is sound too, and a second backup to the same file is
	// refused, the file unchanged.
	if r := run(t, url, "check"); r.code != 0 {
		t.Fatalf("check of the source: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	old, _ := os.ReadFile(backup)
	r := run(t, url, "backup", backup)
	if r.code != 2 || !strings.Contains(r.stderr, "--force") {
		t.Errorf("backup over an existing file: exit %d, want 2 and a hint at --force\n%s", r.code, r.stderr)
	}
	if now, _ := os.ReadFile(backup); string(now) != string(old) {
		t.Errorf("a refused backup changed the file")
	}
	missing := filepath.Join(t.TempDir(), "no-such-dir", "backup.db")
	if r := run(t, url, "backup", missing); r.code != 2 || !strings.Contains(r.stderr, "existing directory") {
		t.Errorf("backup into a missing directory: exit %d, want 2\n%s", r.code, r.stderr)
	}
	mustRun(t, url, "backup", "--force", backup)
	if r := run(t, "sqlite://"+backup, "check"); r.code != 0 {
		t.Fatalf("check of the forced backup: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
