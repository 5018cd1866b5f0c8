package e2e

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/netipam/netipam/topo"
)

// A server whose SQLite file is deleted or replaced under it stops: every
// request, /healthz and /readyz answer 503 naming the path, and nothing
// more is acknowledged, so an operator who imports the store again never
// finds an address the server handed out after the loss handed out twice.

// socketGet GETs path from the server on a unix socket: status and body.
func socketGet(t *testing.T, sock, path string) (int, string) {
	t.Helper()
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", sock)
		}}}
	defer c.CloseIdleConnections()
	resp, err := c.Get("http://netipam" + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// removeStore deletes a SQLite store's files.
func removeStore(t *testing.T, path string) {
	t.Helper()
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Remove(f); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
}

// wantLost fails unless /healthz, /readyz and an API request answer 503
// naming the store's path.
func wantLost(t *testing.T, s *served, path string) {
	t.Helper()
	for _, p := range []string{"/healthz", "/readyz", "/v1/allocations"} {
		if code, body := socketGet(t, s.sock, p); code != http.StatusServiceUnavailable || !strings.Contains(body, path) {
			t.Errorf("GET %s after the store's file went: %d %s; want 503 naming %s", p, code, body, path)
		}
	}
}

// TestServeStoreDeleted: the store's files are deleted under a running
// server; its next allocation is refused (exit 6, naming the path), so
// is every later request, also after the operator imports the store
// again; a direct allocation on the new store then hands out the address
// the server would have.
func TestServeStoreDeleted(t *testing.T) {
	t.Parallel()
	url, path := seeded(t)
	s := startServe(t, url)
	srv := "unix://" + s.sock
	mustRun(t, url, "--server", srv, "alloc", "--node", "node-01", "--family", "4")
	removeStore(t, path)
	r := run(t, url, "--server", srv, "alloc", "--node", "node-01", "--family", "4", "-o", "json")
	if r.code != 6 || !strings.Contains(r.stderr, path) {
		t.Fatalf("alloc through the server after its store was deleted: exit %d: %s%s; want 6 naming %s",
			r.code, r.stdout, r.stderr, path)
	}
	wantLost(t, s, path)
	mustRun(t, url, "topo", "import", repoPath("testdata/topology.yaml"))
	mustRun(t, url, "node", "import", repoPath("testdata/nodes.yaml"))
	r = run(t, url, "--server", srv, "alloc", "--node", "node-01", "--family", "4")
	if r.code != 6 || !strings.Contains(r.stderr, path) {
		t.Fatalf("alloc through the server after the store was imported again: exit %d: %s%s; want 6", r.code, r.stdout, r.stderr)
	}
	wantLost(t, s, path)
	out := mustRun(t, url, "alloc", "--node", "node-01", "--family", "4", "-o", "json")
	as, err := parseAllocs(out)
	if err != nil || len(as) != 1 {
		t.Fatalf("direct alloc: %v %s", err, out)
	}
	if got := heldBy(t, url); len(got) != 1 {
		t.Fatalf("the new store holds %v, want only the direct allocation", got)
	}
}

// TestServeStoreReplacedNoticedIdle: the store's file is replaced by a
// copy (a restored backup: another inode at the same path) while the
// server is idle; within a few feed ticks, without any write, a read
// through the server answers 503 naming the path, and so do /healthz and
// /readyz.
func TestServeStoreReplacedNoticedIdle(t *testing.T) {
	t.Parallel()
	url, path := seeded(t)
	s := startServe(t, url)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := s.client.Allocations(ctx, topo.AllocationFilter{}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+".new", b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".new", path); err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ { // the watcher's tick is 100 ms: bounded by 200 polls of 50 ms
		code, body := socketGet(t, s.sock, "/v1/allocations")
		if code == http.StatusServiceUnavailable && strings.Contains(body, path) && strings.Contains(body, "replaced") {
			break
		}
		if i == 200 {
			t.Fatalf("a read through the server 10s after its file was replaced: %d %s", code, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	wantLost(t, s, path)
	if code := s.stop(t); code != 0 {
		t.Errorf("SIGTERM after the loss: exit %d, want 0:\n%s", code, s.stderr)
	}
}
