package rqlitetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Polling members: readiness, /status, the leader.

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
