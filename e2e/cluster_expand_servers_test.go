package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/server"
)

// twoServersFile gives t1 a /27 (29 addresses) in a /22 pod: 48 containers
// need it to grow at least once.
const twoServersFile = `topology:
  zones:
    - id: z
      cidr: 10.9.0.0/16
      pods:
        - id: p1
          cidr: 10.9.0.0/22
          tors:
            - id: t1
              subnets:
                - {cidr: 10.9.0.0/27, purpose: default}
`

// expandUsage reads the usage an expand event recorded when it claimed.
var expandUsage = regexp.MustCompile(`usage (\d+)/(\d+) \(`)

// Two `netipam serve` processes on different members of a real 3-node
// rqlite cluster allocate for 48 containers of t1 at once, 24 each: every
// allocation succeeds (the pod has room: no false "exhausted"), no address
// is handed out twice, and every block either server claimed was claimed
// for a need of its own: its ledger event records t1 at or past the
// threshold when it was claimed, which a second claim for the same need
// (after the first block landed) could not be.
func TestClusterTwoServersExpand(t *testing.T) {
	c := startRqlite(t)
	file := filepath.Join(t.TempDir(), "topology.yaml")
	if err := os.WriteFile(file, []byte(twoServersFile), 0o644); err != nil {
		t.Fatal(err)
	}
	url := memberFirst(c, 0)
	mustRun(t, url, "topo", "import", file)
	mustRun(t, url, "node", "register", "--id", "n1", "--tor", "t1")
	servers := []*served{startServe(t, memberFirst(c, 0)), startServe(t, memberFirst(c, 1))}
	ctx := context.Background()
	var mu sync.Mutex
	got := map[string]string{}
	var wg sync.WaitGroup
	for i := range 48 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl, err := server.NewClient("unix://"+servers[i%2].sock, "")
			if err != nil {
				t.Error(err)
				return
			}
			container := fmt.Sprintf("c%02d", i)
			as, err := cl.Allocate(ctx, alloc.Request{Node: "n1", Network: "net", Container: container, IfName: "eth0"})
			if err != nil {
				t.Errorf("%s through server %d: %v", container, i%2, err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			for _, a := range as {
				if other, ok := got[a.Address.String()]; ok {
					t.Errorf("%s handed out to %s and %s", a.Address, other, container)
				}
				got[a.Address.String()] = container
			}
		}()
	}
	wg.Wait()
	if len(got) != 48 {
		t.Fatalf("%d distinct addresses for 48 containers", len(got))
	}
	blocks, events := 0, 0
	for _, line := range splitRows(mustRun(t, url, "sql", "-o", "csv", "SELECT COUNT(*) FROM subnets WHERE source = 'expand'")) {
		blocks, _ = strconv.Atoi(line)
	}
	for _, detail := range splitRows(mustRun(t, url, "sql", "-o", "csv",
		"SELECT detail FROM events WHERE kind = 'expand' AND subnet <> '' ORDER BY id")) {
		events++
		m := expandUsage.FindStringSubmatch(detail)
		if m == nil {
			t.Fatalf("expand event without its usage: %q", detail)
		}
		used, _ := strconv.Atoi(m[1])
		capacity, _ := strconv.Atoi(m[2])
		if float64(used) < 0.8*float64(capacity) {
			t.Errorf("a block claimed below the threshold (a second claim for one need?): %q", detail)
		}
	}
	t.Logf("t1 grew by %d block(s) for 48 containers", blocks)
	if blocks == 0 || blocks != events {
		t.Errorf("%d expanded blocks, %d expand events: want at least one, one event each", blocks, events)
	}
	if out := mustRun(t, url, "check"); !regexp.MustCompile(`^ok: `).MatchString(out) {
		t.Errorf("check after the run: %s", out)
	}
}

// splitRows gives the data rows of `sql -o csv` output (the header dropped).
func splitRows(csv string) []string {
	lines := strings.Split(strings.TrimSpace(csv), "\n")
	if len(lines) < 2 {
		return nil
	}
	return lines[1:]
}
