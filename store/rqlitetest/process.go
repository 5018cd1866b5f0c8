package rqlitetest

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Starting, stopping and killing rqlited processes.

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
