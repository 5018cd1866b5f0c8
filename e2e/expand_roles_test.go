package e2e

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/netipam/netipam/alloc"
)

// The CNI plugin's ADD that takes t1 to the threshold grows it in the same
// call (saying so on stderr, the result alone on stdout); later ADDs take
// addresses from the new block.
func TestExpandThresholdCNI(t *testing.T) {
	url, path := seededExpand(t)
	conf := netConf("1.0.0", url, `"node": "n1"`)
	t.Setenv(envNow, time.Now().Add(-48*time.Hour).UTC().Format(time.RFC3339))
	for i := 1; i <= 10; i++ {
		cniOK(t, cniCall{command: "ADD", container: fmt.Sprintf("c%d", i), conf: conf})
	}
	t.Setenv(envNow, "")
	if got := t1Blocks(t, path); len(got) != 1 {
		t.Fatalf("below the threshold: t1's subnets = %v", got)
	}
	r := runPlugin(t, binary, cniCall{command: "ADD", container: "c11", ifname: "eth0", conf: conf})
	if r.code != 0 || !strings.Contains(r.stderr, "expanded TOR t1 (default, IPv4) with 10.9.0.32/28") || !strings.HasPrefix(r.stdout, "{") {
		t.Fatalf("the 11th ADD: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	want := "10.9.0.0/28 import,10.9.0.32/28 expand"
	if got := strings.Join(t1Blocks(t, path), ","); got != want {
		t.Fatalf("t1's subnets = %s, want %s", got, want)
	}
	for i := 12; i <= 20; i++ {
		cniOK(t, cniCall{command: "ADD", container: fmt.Sprintf("c%d", i), conf: conf})
	}
	if n := sqlRows(t, path, `SELECT COUNT(*) FROM allocations WHERE subnet = '10.9.0.32/28'`); n[0] == "0" {
		t.Error("no ADD took an address of the expanded block")
	}
}

// The server grows t1 in the background once its allocations cross the
// threshold, before t1 is full, and hands out the new block's addresses.
func TestExpandThresholdServer(t *testing.T) {
	t.Parallel()
	url, path := seededExpand(t)
	s := startServe(t, url)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for i := 1; i <= 11; i++ {
		if _, err := s.client.Allocate(ctx, alloc.Request{Node: "n1"}); err != nil {
			t.Fatalf("allocation %d: %v", i, err)
		}
	}
	var got []string
	for try := 0; try < 200; try++ { // the background check runs within 100ms; bounded at 10s
		if got = t1Blocks(t, path); len(got) == 2 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(got) != 2 || !strings.HasPrefix(got[1], "10.9.0.32/") || !strings.HasSuffix(got[1], " expand") {
		t.Fatalf("t1's subnets = %v, want one expanded block at 10.9.0.32 (stderr:\n%s)", got, s.stderr)
	}
	if n := sqlRows(t, path, `SELECT COUNT(*) FROM allocations WHERE tor_id = 't1'`); n[0] != "11" {
		t.Fatalf("t1 holds %s allocations when it was grown, want 11: grown before it was full", n[0])
	}
	ev := sqlRows(t, path, `SELECT detail FROM events WHERE kind = 'expand'`)
	if len(ev) != 1 || !strings.Contains(ev[0], "reason threshold, usage 11/13") {
		t.Errorf("expand events = %q, want one with reason threshold", ev)
	}
	for i := 12; i <= 20; i++ {
		if _, err := s.client.Allocate(ctx, alloc.Request{Node: "n1"}); err != nil {
			t.Fatalf("allocation %d after the expansion: %v", i, err)
		}
	}
}

// A block claimed by another process (here `subnet expand`) while the
// server runs is used by the server: max_subnets_per_tor 2 keeps the
// server from claiming one itself (and prefix_length 28 sizes the block),
// so every address past t1's first block
// comes from the block claimed elsewhere.
func TestServeUsesBlocksClaimedElsewhere(t *testing.T) {
	t.Parallel()
	url, path := seededExpand(t)
	file := t.TempDir() + "/max2.yaml"
	if err := os.WriteFile(file, []byte("topology:\n  expansion:\n    max_subnets_per_tor: 2\n    prefix_length: {ipv4: 28}\n  zones: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mustRun(t, url, "topo", "import", file)
	s := startServe(t, url)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for i := 1; i <= 5; i++ {
		if _, err := s.client.Allocate(ctx, alloc.Request{Node: "n1"}); err != nil {
			t.Fatalf("allocation %d: %v", i, err)
		}
	}
	mustRun(t, url, "subnet", "expand", "--tor", "t1")
	for i := 6; i <= 26; i++ { // 13 + 13: both blocks full
		if _, err := s.client.Allocate(ctx, alloc.Request{Node: "n1"}); err != nil {
			t.Fatalf("allocation %d: %v\n%s", i, err, s.stderr)
		}
	}
	if got := strings.Join(t1Blocks(t, path), ","); got != "10.9.0.0/28 import,10.9.0.32/28 expand" {
		t.Errorf("t1's subnets = %s, want its own and the one subnet expand claimed", got)
	}
	if _, err := s.client.Allocate(ctx, alloc.Request{Node: "n1"}); err == nil {
		t.Error("a 27th address from two /28s")
	}
}
