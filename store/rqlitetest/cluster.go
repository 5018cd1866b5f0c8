package rqlitetest

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// EnvBinary names the environment variable that points at rqlited.
const EnvBinary = "NETIPAM_RQLITED"

const (
	// StartTimeout bounds how long Start waits for the cluster to have a
	// leader and all nodes ready.
	StartTimeout = 45 * time.Second
	// RestartTimeout bounds how long Restart waits for the node's HTTP API.
	RestartTimeout = 30 * time.Second
	// exitTimeout bounds the wait for a SIGKILLed process to be reaped.
	exitTimeout = 10 * time.Second

	pollInterval  = 100 * time.Millisecond
	httpTimeout   = 2 * time.Second
	startAttempts = 3 // retries only when a port was taken meanwhile
	logTailBytes  = 16 << 10
	loopback      = "127.0.0.1"
)

// Options tunes a cluster. The zero value is what Start uses.
type Options struct {
	// ExtraArgs are appended to every rqlited command line (before the data
	// dir), e.g. "-raft-election-timeout=500ms".
	ExtraArgs []string
	// NoFK disables SQLite foreign key enforcement (-fk is on by default).
	NoFK bool
}

// Cluster is a running set of rqlited processes. Node indexes are 0-based.
// Its methods are safe for concurrent use, but those that fail the test
// (Kill, Restart) must be called from the test's goroutine.
type Cluster struct {
	t      testing.TB
	bin    string
	dir    string
	opts   Options
	client *http.Client

	mu    sync.Mutex
	nodes []*node
}

type node struct {
	idx      int
	id       string
	httpAddr string
	raftAddr string
	dataDir  string
	logPath  string

	// Set per process generation; guarded by Cluster.mu.
	cmd  *exec.Cmd
	done chan struct{} // closed once the process has been reaped
}

// Start starts an n-node cluster (n >= 1), waits until it has a leader and
// every node is ready, and registers cleanup. It fails the test on error.
func Start(t testing.TB, n int) *Cluster {
	t.Helper()
	return StartWith(t, n, Options{})
}

// StartWith is Start with options.
func StartWith(t testing.TB, n int, opts Options) *Cluster {
	t.Helper()
	if n < 1 {
		t.Fatalf("rqlitetest: cluster size must be >= 1, got %d", n)
	}
	bin, err := BinaryPath()
	if err != nil {
		t.Fatal(err)
	}
	c := &Cluster{
		t:    t,
		bin:  bin,
		dir:  t.TempDir(), // before Cleanup: cleanups run LIFO, so we kill first
		opts: opts,
		client: &http.Client{
			Timeout:   httpTimeout,
			Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil},
		},
	}
	t.Cleanup(c.cleanup)

	for attempt := 1; ; attempt++ {
		err := c.startAll(n, attempt)
		if err == nil {
			break
		}
		portClash := c.logsContain("address already in use")
		c.killAll()
		if !portClash || attempt >= startAttempts {
			t.Fatalf("rqlitetest: starting %d-node cluster (attempt %d): %v", n, attempt, err)
		}
		t.Logf("rqlitetest: port clash on attempt %d, retrying with new ports", attempt)
	}
	return c
}

// BinaryPath returns the rqlited binary to use, or an error telling how to
// build it.
func BinaryPath() (string, error) {
	p := os.Getenv(EnvBinary)
	src := "$" + EnvBinary
	if p == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("rqlitetest: $%s unset and no home dir (%v); run `make rqlited` and set $%s", EnvBinary, err, EnvBinary)
		}
		p = filepath.Join(home, ".cache", "netipam", "bin", "rqlited")
		src = "default path"
	}
	fi, err := os.Stat(p)
	if err != nil {
		return "", fmt.Errorf("rqlitetest: rqlited not found at %s (%s): %v; run `make rqlited` in the repo root (or point $%s at an rqlited v8 binary)", p, src, err, EnvBinary)
	}
	if fi.IsDir() || fi.Mode()&0o111 == 0 {
		return "", fmt.Errorf("rqlitetest: %s (%s) is not an executable file; run `make rqlited`", p, src)
	}
	return p, nil
}

// N returns the number of nodes.
func (c *Cluster) N() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.nodes)
}

// Addrs returns the HTTP API addresses ("127.0.0.1:port") of all nodes,
// indexed by node.
func (c *Cluster) Addrs() []string {
	out := make([]string, 0, c.N())
	for _, nd := range c.snapshot() {
		out = append(out, nd.httpAddr)
	}
	return out
}

// URL returns "rqlite://127.0.0.1:p1,127.0.0.1:p2,..." listing the HTTP
// API addresses of all nodes.
func (c *Cluster) URL() string {
	return "rqlite://" + strings.Join(c.Addrs(), ",")
}

// HTTPURL returns "http://127.0.0.1:port" for node i.
func (c *Cluster) HTTPURL(i int) string {
	return "http://" + c.node(i).httpAddr
}

// RaftAddr returns the Raft address of node i.
func (c *Cluster) RaftAddr(i int) string { return c.node(i).raftAddr }

// Running reports whether node i's process is alive.
func (c *Cluster) Running(i int) bool { return c.running(c.node(i)) }

func (c *Cluster) node(i int) *node {
	c.mu.Lock()
	defer c.mu.Unlock()
	if i < 0 || i >= len(c.nodes) {
		c.t.Fatalf("rqlitetest: node index %d out of range [0,%d)", i, len(c.nodes))
	}
	return c.nodes[i]
}

func (c *Cluster) snapshot() []*node {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*node(nil), c.nodes...)
}
