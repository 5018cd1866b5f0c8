// Package rqlitetest starts real rqlite clusters (rqlited processes) on the
// loopback interface for tests.
//
// The rqlited binary is taken from $NETIPAM_RQLITED, else from
// $HOME/.cache/netipam/bin/rqlited; `make rqlited` builds it there. A missing
// binary fails the test: it is never skipped silently.
//
// Only 127.0.0.1 is ever used, every wait is bounded in time and count, and
// every process is SIGKILLed and reaped by t.Cleanup. The rqlited logs live in
// the test's temp dir and are dumped with t.Logf when the test fails.
package rqlitetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
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

// startAll allocates ports and data dirs, starts n nodes that bootstrap
// together, and waits until the cluster is fully up.
func (c *Cluster) startAll(n, attempt int) error {
	ports, err := freePorts(2 * n)
	if err != nil {
		return err
	}
	base := filepath.Join(c.dir, fmt.Sprintf("try%d", attempt))
	nodes := make([]*node, n)
	raftAddrs := make([]string, n)
	for i := range nodes {
		nd := &node{
			idx:      i,
			id:       fmt.Sprintf("node%d", i),
			httpAddr: net.JoinHostPort(loopback, strconv.Itoa(ports[2*i])),
			raftAddr: net.JoinHostPort(loopback, strconv.Itoa(ports[2*i+1])),
			dataDir:  filepath.Join(base, fmt.Sprintf("node%d", i), "data"),
			logPath:  filepath.Join(base, fmt.Sprintf("node%d.log", i)),
		}
		if err := os.MkdirAll(filepath.Dir(nd.dataDir), 0o755); err != nil {
			return err
		}
		nodes[i] = nd
		raftAddrs[i] = nd.raftAddr
	}
	c.mu.Lock()
	c.nodes = nodes
	c.mu.Unlock()

	var boot []string
	if n > 1 {
		// All nodes get the same join list and bootstrap together once n
		// of them are reachable (rqlite's "automatic bootstrapping").
		boot = []string{"-bootstrap-expect", strconv.Itoa(n), "-join", strings.Join(raftAddrs, ",")}
	}
	for _, nd := range nodes {
		if err := c.spawn(nd, boot); err != nil {
			return err
		}
	}
	return c.waitUp(StartTimeout)
}

// args builds the rqlited command line for nd.
func (c *Cluster) args(nd *node, boot []string) []string {
	a := []string{
		"-node-id", nd.id,
		"-http-addr", nd.httpAddr,
		"-raft-addr", nd.raftAddr,
	}
	if !c.opts.NoFK {
		a = append(a, "-fk")
	}
	a = append(a, boot...)
	a = append(a, c.opts.ExtraArgs...)
	return append(a, nd.dataDir)
}

// spawn starts one rqlited process for nd, logging to nd.logPath.
func (c *Cluster) spawn(nd *node, boot []string) error {
	logf, err := os.OpenFile(nd.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	args := c.args(nd, boot)
	fmt.Fprintf(logf, "=== %s rqlitetest: exec %s %s\n", time.Now().Format(time.RFC3339Nano), c.bin, strings.Join(args, " "))
	cmd := exec.Command(c.bin, args...)
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.SysProcAttr = sysProcAttr()
	if err := startCmd(cmd); err != nil {
		logf.Close()
		return fmt.Errorf("start %s: %w", nd.id, err)
	}
	done := make(chan struct{})
	go func() {
		err := cmd.Wait()
		fmt.Fprintf(logf, "=== %s rqlitetest: pid %d exited: %v\n", time.Now().Format(time.RFC3339Nano), cmd.Process.Pid, err)
		logf.Close()
		close(done)
	}()
	c.mu.Lock()
	nd.cmd, nd.done = cmd, done
	c.mu.Unlock()
	return nil
}

// waitUp waits until every running node answers /readyz with 200 and the
// leader's configuration lists every node.
func (c *Cluster) waitUp(timeout time.Duration) error {
	var last error
	err := c.poll(timeout, func() (bool, error) {
		for _, nd := range c.snapshot() {
			if !c.running(nd) {
				return false, fmt.Errorf("%s exited during startup", nd.id)
			}
			if err := c.ready(nd, false); err != nil {
				last = err
				return false, nil
			}
		}
		li, st, err := c.leader()
		if err != nil {
			last = err
			return false, nil
		}
		if got, want := len(st.Store.Nodes), c.N(); got != want {
			last = fmt.Errorf("leader node%d lists %d nodes, want %d", li, got, want)
			return false, nil
		}
		return true, nil
	})
	if err != nil && last != nil {
		err = fmt.Errorf("%w (last: %v)", err, last)
	}
	return err
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

// Leader returns the index of the live node that is the current Raft
// leader, as reported by the nodes' /status.
func (c *Cluster) Leader() (int, error) {
	i, _, err := c.leader()
	return i, err
}

// WaitLeader waits up to timeout for a live leader and returns its index.
func (c *Cluster) WaitLeader(timeout time.Duration) (int, error) {
	idx := -1
	var last error
	err := c.poll(timeout, func() (bool, error) {
		i, err := c.Leader()
		if err != nil {
			last = err
			return false, nil
		}
		idx = i
		return true, nil
	})
	if err != nil {
		return -1, fmt.Errorf("rqlitetest: no leader: %w (last: %v)", err, last)
	}
	return idx, nil
}

// WaitReady waits up to timeout until every running node answers /readyz
// with 200 (node ok, leader ok, store ok). With sync, it also waits until
// each node has applied all committed log entries (/readyz?sync).
func (c *Cluster) WaitReady(timeout time.Duration, sync bool) error {
	var last error
	err := c.poll(timeout, func() (bool, error) {
		for _, nd := range c.snapshot() {
			if !c.running(nd) {
				continue
			}
			if err := c.ready(nd, sync); err != nil {
				last = err
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("rqlitetest: cluster not ready: %w (last: %v)", err, last)
	}
	return nil
}

// Kill sends SIGKILL to node i and waits until the process has exited.
// Killing a node that is not running is a no-op.
func (c *Cluster) Kill(i int) {
	c.t.Helper()
	nd := c.node(i)
	if err := c.kill(nd); err != nil {
		c.t.Fatalf("rqlitetest: kill node%d: %v", i, err)
	}
	c.t.Logf("rqlitetest: killed node%d (%s)", i, nd.httpAddr)
}

// Restart starts node i again with the same data dir, ports and ID, and
// waits until its HTTP API serves. It does not wait for a leader: use
// WaitLeader / WaitReady for that (a lone node cannot elect one). A node
// that is still running is killed first.
func (c *Cluster) Restart(i int) {
	c.t.Helper()
	nd := c.node(i)
	if err := c.kill(nd); err != nil {
		c.t.Fatalf("rqlitetest: restart node%d: %v", i, err)
	}
	// No -join / -bootstrap-expect: the node rejoins from its Raft state.
	var err error
	for attempt := 1; attempt <= startAttempts; attempt++ {
		if err = c.spawn(nd, nil); err != nil {
			break
		}
		if err = c.waitServing(nd, RestartTimeout); err == nil {
			c.t.Logf("rqlitetest: restarted node%d (%s)", i, nd.httpAddr)
			return
		}
		// The old process's ports can linger briefly; retry if so.
		if c.running(nd) || !c.logsContain("address already in use") {
			break
		}
		time.Sleep(time.Second)
	}
	c.t.Fatalf("rqlitetest: restart node%d: %v", i, err)
}

// --- internals ---------------------------------------------------------

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

func (c *Cluster) running(nd *node) bool {
	c.mu.Lock()
	done := nd.done
	c.mu.Unlock()
	if done == nil {
		return false
	}
	select {
	case <-done:
		return false
	default:
		return true
	}
}

// kill SIGKILLs nd's process (if any) and waits, bounded, for it to be reaped.
func (c *Cluster) kill(nd *node) error {
	c.mu.Lock()
	cmd, done := nd.cmd, nd.done
	c.mu.Unlock()
	if cmd == nil || done == nil {
		return nil
	}
	select {
	case <-done:
		return nil
	default:
	}
	if err := cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	select {
	case <-done:
		return nil
	case <-time.After(exitTimeout):
		return fmt.Errorf("pid %d did not exit within %v of SIGKILL", cmd.Process.Pid, exitTimeout)
	}
}

func (c *Cluster) killAll() {
	for _, nd := range c.snapshot() {
		if err := c.kill(nd); err != nil {
			c.t.Errorf("rqlitetest: cleanup %s: %v", nd.id, err)
		}
	}
}

func (c *Cluster) cleanup() {
	c.killAll()
	if c.t.Failed() {
		c.dumpLogs()
	}
}

// dumpLogs writes the tail of every node's log (all start attempts) to t.Logf.
func (c *Cluster) dumpLogs() {
	logs, _ := filepath.Glob(filepath.Join(c.dir, "try*", "node*.log"))
	for _, p := range logs {
		b, err := os.ReadFile(p)
		if err != nil {
			c.t.Logf("rqlitetest: %s: %v", p, err)
			continue
		}
		trunc := ""
		if len(b) > logTailBytes {
			b, trunc = b[len(b)-logTailBytes:], " (tail)"
		}
		rel, _ := filepath.Rel(c.dir, p)
		c.t.Logf("rqlitetest: ---- %s%s ----\n%s", rel, trunc, b)
	}
}

func (c *Cluster) logsContain(s string) bool {
	for _, nd := range c.snapshot() {
		b, _ := os.ReadFile(nd.logPath)
		if bytes.Contains(b, []byte(s)) {
			return true
		}
	}
	return false
}

// poll calls f every pollInterval until it returns true or an error, or
// timeout passes. The number of iterations is bounded too.
func (c *Cluster) poll(timeout time.Duration, f func() (bool, error)) error {
	deadline := time.Now().Add(timeout)
	maxIter := int(timeout/pollInterval) + 1
	for i := 0; i < maxIter; i++ {
		ok, err := f()
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(pollInterval)
	}
	return fmt.Errorf("timed out after %v", timeout)
}

func (c *Cluster) get(nd *node, path string) (int, []byte, error) {
	resp, err := c.client.Get("http://" + nd.httpAddr + path)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	return resp.StatusCode, b, err
}

func (c *Cluster) ready(nd *node, sync bool) error {
	path := "/readyz"
	if sync {
		path += "?sync&timeout=2s"
	}
	code, body, err := c.get(nd, path)
	if err != nil {
		return fmt.Errorf("%s: %w", nd.id, err)
	}
	if code != http.StatusOK {
		return fmt.Errorf("%s /readyz: %d %s", nd.id, code, strings.ReplaceAll(string(body), "\n", " "))
	}
	return nil
}

// waitServing waits until nd's HTTP API answers (without requiring a leader).
func (c *Cluster) waitServing(nd *node, timeout time.Duration) error {
	return c.poll(timeout, func() (bool, error) {
		if !c.running(nd) {
			return false, fmt.Errorf("%s exited", nd.id)
		}
		code, _, err := c.get(nd, "/readyz?noleader")
		return err == nil && code == http.StatusOK, nil
	})
}

// statusDoc is the part of GET /status that we use.
type statusDoc struct {
	Store struct {
		NodeID string `json:"node_id"`
		Leader struct {
			NodeID string `json:"node_id"`
			Addr   string `json:"addr"`
		} `json:"leader"`
		Raft struct {
			State string `json:"state"`
			Term  uint64 `json:"term"`
		} `json:"raft"`
		Nodes []struct {
			ID   string `json:"id"`
			Addr string `json:"addr"`
		} `json:"nodes"`
	} `json:"store"`
}

func (c *Cluster) status(nd *node) (*statusDoc, error) {
	code, body, err := c.get(nd, "/status")
	if err != nil {
		return nil, err
	}
	if code != http.StatusOK {
		return nil, fmt.Errorf("%s /status: %d", nd.id, code)
	}
	var st statusDoc
	if err := json.Unmarshal(body, &st); err != nil {
		return nil, fmt.Errorf("%s /status: %w", nd.id, err)
	}
	return &st, nil
}

// leader finds the live node whose Raft state is Leader (highest term wins,
// in case a deposed leader has not noticed yet) and returns its /status.
func (c *Cluster) leader() (int, *statusDoc, error) {
	best, bestTerm := -1, uint64(0)
	var bestSt *statusDoc
	var errs []error
	for _, nd := range c.snapshot() {
		if !c.running(nd) {
			continue
		}
		st, err := c.status(nd)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if st.Store.Raft.State == "Leader" && (best < 0 || st.Store.Raft.Term > bestTerm) {
			best, bestTerm, bestSt = nd.idx, st.Store.Raft.Term, st
		}
	}
	if best < 0 {
		return -1, nil, fmt.Errorf("rqlitetest: no live node is leader %v", errors.Join(errs...))
	}
	return best, bestSt, nil
}

// freePorts reserves n distinct free TCP ports on 127.0.0.1. The listeners
// are held until all ports are picked, then released for rqlited to bind.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", net.JoinHostPort(loopback, "0"))
		if err != nil {
			return nil, fmt.Errorf("rqlitetest: reserve port: %w", err)
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
