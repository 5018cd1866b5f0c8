package e2e

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

type allocated struct {
	Address string `json:"address"`
	Subnet  string `json:"subnet"`
	Node    string `json:"node"`
}

// TestConcurrentProcessesNeverShareAnAddress runs 40 netipam processes at
// once, each allocating 8 addresses one process call at a time, on one
// SQLite file, from a TOR whose storage pool (10.244.4.0/24) holds 253:
// exactly 253 calls succeed, each with a distinct address, the rest fail
// with "exhausted" (exit 5), and the table agrees with what was printed.
func TestConcurrentProcessesNeverShareAnAddress(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: 320 netipam processes at once")
	}
	url, path := seeded(t)
	withoutExpansion(t, url)
	const workers, calls = 40, 8
	var mu sync.Mutex
	got := map[string]string{} // address -> worker/call
	exits := map[int]int{}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			node := []string{"node-01", "node-02"}[w%2]
			for c := 0; c < calls; c++ {
				r := run(t, url, "alloc", "--node", node, "--purpose", "storage", "-o", "json")
				mu.Lock()
				exits[r.code]++
				if r.code == 0 {
					var as []allocated
					if err := json.Unmarshal([]byte(r.stdout), &as); err != nil || len(as) != 1 {
						t.Errorf("worker %d: output %q: %v", w, r.stdout, err)
					}
					for _, a := range as {
						if prev, dup := got[a.Address]; dup {
							t.Errorf("%s handed out twice: %s and %d/%d", a.Address, prev, w, c)
						}
						got[a.Address] = fmt.Sprintf("%d/%d", w, c)
					}
				} else if r.code != 5 || !strings.Contains(r.stderr, "no free IPv4 storage address") {
					t.Errorf("worker %d: exit %d: %s", w, r.code, r.stderr)
				}
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
	if exits[0] != 253 || exits[5] != workers*calls-253 {
		t.Fatalf("exit statuses %v: want 253 successes and %d exhausted", exits, workers*calls-253)
	}
	table := tableAddresses(t, path, "10.244.4.0/24")
	if len(table) != len(got) {
		t.Fatalf("table holds %d addresses, processes printed %d", len(table), len(got))
	}
	for a := range got {
		if !table[a] {
			t.Errorf("%s was printed but is not in the table", a)
		}
	}
}

// tableAddresses reads a subnet's allocated addresses straight from the file.
func tableAddresses(t *testing.T, path, subnet string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, line := range strings.Split(dump(t, path), "\n") {
		f := strings.Fields(line)
		if len(f) > 2 && f[0] == subnet {
			if _, err := netip.ParseAddr(f[1]); err == nil {
				if out[f[1]] {
					t.Fatalf("%s twice in the allocations table", f[1])
				}
				out[f[1]] = true
			}
		}
	}
	return out
}

// TestKillNineLosesNoAcknowledgedAllocation SIGKILLs netipam processes at
// random moments while 16 others allocate; every address a process printed
// (acknowledged) must be in the table afterwards, the file must pass
// SQLite's integrity check, and no address may be held twice.
func TestKillNineLosesNoAcknowledgedAllocation(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: kill -9 of processes mid-allocation")
	}
	url, path := seeded(t)
	const workers, calls = 16, 12
	rng := rand.New(rand.NewPCG(1, 2))
	var mu sync.Mutex
	acked := map[string]bool{}
	killed := 0
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		delays := make([]time.Duration, calls)
		for i := range delays {
			delays[i] = time.Duration(rng.IntN(40)) * time.Millisecond
		}
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for c := 0; c < calls; c++ {
				cmd := exec.Command(binary, "alloc", "--node", "node-03", "-o", "json", "--family", "4")
				cmd.Env = append(os.Environ(), "NETIPAM_STORE="+url)
				var out strings.Builder
				cmd.Stdout = &out
				if err := cmd.Start(); err != nil {
					t.Error(err)
					return
				}
				kill := w%2 == 0 // half the workers get killed at random moments
				if kill {
					time.AfterFunc(delays[c], func() { cmd.Process.Signal(syscall.SIGKILL) })
				}
				done := make(chan error, 1)
				go func() { done <- cmd.Wait() }()
				var err error
				select {
				case err = <-done:
				case <-time.After(60 * time.Second):
					cmd.Process.Kill()
					t.Error("netipam hung")
					return
				}
				mu.Lock()
				if err != nil && strings.Contains(err.Error(), "killed") {
					killed++
				}
				var as []allocated
				if json.Unmarshal([]byte(out.String()), &as) == nil {
					for _, a := range as {
						acked[a.Address] = true
					}
				}
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
	t.Logf("%d processes killed, %d allocations acknowledged", killed, len(acked))
	if killed == 0 {
		t.Fatal("no process was killed: the test proved nothing")
	}
	if r := run(t, url, "topo", "show"); r.code != 0 {
		t.Fatalf("store unusable after kill -9: %s", r.stderr)
	}
	table := tableAddresses(t, path, "10.244.8.0/22")
	for a := range acked {
		if !table[a] {
			t.Errorf("acknowledged %s lost", a)
		}
	}
	checkIntegrity(t, path)
}
