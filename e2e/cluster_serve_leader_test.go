package e2e

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/topo"
)

// startServeNoWait starts the real binary serving storeURL on a unix socket
// and waits (bounded) only until it answers /healthz, not until ready.
func startServeNoWait(t *testing.T, storeURL string) *served {
	t.Helper()
	s := launchServe(t, filepath.Join(t.TempDir(), "netipam.sock"), storeURL, 0)
	for i := 0; ; i++ {
		if _, err := os.Stat(s.sock); err == nil {
			if code, _ := socketGet(t, s.sock, "/healthz"); code == http.StatusOK {
				return s
			}
		}
		select {
		case <-s.done:
			t.Fatalf("netipam serve exited %d before answering /healthz:\n%s", s.code, s.stderr)
		case <-time.After(50 * time.Millisecond):
		}
		if i == 300 {
			t.Fatalf("netipam serve does not answer /healthz after 15s:\n%s", s.stderr)
		}
	}
}

// TestClusterServeWaitsForLeader: serve started against a 3-node rqlite
// cluster of which only one member runs (no leader) keeps running: its
// /healthz answers 200, its /readyz 503 saying it waits for the store,
// and it tries again (more than once). A second server started the same
// way exits 0 at once on SIGTERM. Once the other members are back the
// first becomes ready and allocates.
func TestClusterServeWaitsForLeader(t *testing.T) {
	c := startRqlite(t)
	file := filepath.Join(t.TempDir(), "topology.yaml")
	if err := os.WriteFile(file, []byte(clusterTopology), 0o644); err != nil {
		t.Fatal(err)
	}
	url := memberFirst(c, 0)
	mustRun(t, url, "topo", "import", file)
	mustRun(t, url, "node", "register", "--id", "n0", "--tor", clusterTOR)
	for i := range c.N() {
		c.Kill(i)
	}
	c.Restart(0) // alone: no leader can be elected

	s := startServeNoWait(t, url)
	for i := 0; strings.Count(s.stderr.String(), "waiting for the store") < 2; i++ {
		select {
		case <-s.done:
			t.Fatalf("serve exited %d while the cluster had no leader:\n%s", s.code, s.stderr)
		case <-time.After(100 * time.Millisecond):
		}
		if i == 300 {
			t.Fatalf("serve did not try the store twice in 30s:\n%s", s.stderr)
		}
	}
	if code, body := socketGet(t, s.sock, "/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "waiting for the store") {
		t.Fatalf("/readyz without a leader: %d %s; want 503 waiting for the store", code, body)
	}
	if code, body := socketGet(t, s.sock, "/healthz"); code != http.StatusOK {
		t.Fatalf("/healthz without a leader: %d %s; want 200 (alive)", code, body)
	}
	if code, body := socketGet(t, s.sock, "/v1/allocations"); code != http.StatusServiceUnavailable {
		t.Fatalf("a request without a leader: %d %s; want 503", code, body)
	}

	s2 := startServeNoWait(t, url)
	s2.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s2.done:
		if s2.code != 0 {
			t.Fatalf("SIGTERM while waiting for the store: exit %d, want 0:\n%s", s2.code, s2.stderr)
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("serve still running 15s after SIGTERM while waiting for the store:\n%s", s2.stderr)
	}

	c.Restart(1)
	c.Restart(2)
	if _, err := c.WaitLeader(60 * time.Second); err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		code, body := socketGet(t, s.sock, "/readyz")
		if code == http.StatusOK {
			break
		}
		if i == 600 {
			t.Fatalf("serve not ready 60s after the cluster has a leader again: %d %s\n%s", code, body, s.stderr)
		}
		time.Sleep(100 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	as, err := s.client.Allocate(ctx, alloc.Request{Node: "n0", Family: topo.IPv4})
	if err != nil || len(as) != 1 {
		t.Fatalf("allocate once ready: %v %v", as, err)
	}
}
