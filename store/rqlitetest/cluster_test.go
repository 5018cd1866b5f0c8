package rqlitetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var client = &http.Client{Timeout: 5 * time.Second}

// rqResponse is the JSON body of /db/execute and /db/query.
type rqResponse struct {
	Results []struct {
		Columns      []string        `json:"columns"`
		Values       [][]interface{} `json:"values"`
		RowsAffected int64           `json:"rows_affected"`
		Error        string          `json:"error"`
	} `json:"results"`
	Error string `json:"error"`
}

// post sends a parameterized statement list to node i's endpoint.
func post(t *testing.T, c *Cluster, i int, path string, stmts ...[]interface{}) (*rqResponse, error) {
	t.Helper()
	body, err := json.Marshal(stmts)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.Post(c.HTTPURL(i)+path, "application/json", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s on node%d: %s: %s", path, i, resp.Status, b)
	}
	var r rqResponse
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %v: %s", path, err, b)
	}
	if r.Error != "" {
		return nil, fmt.Errorf("%s: %s", path, r.Error)
	}
	for _, res := range r.Results {
		if res.Error != "" {
			return &r, fmt.Errorf("%s: statement error: %s", path, res.Error)
		}
	}
	return &r, nil
}

// readName reads the name of row id=1 from node i at the given level.
func readName(t *testing.T, c *Cluster, i int, level string) (string, error) {
	t.Helper()
	r, err := post(t, c, i, "/db/query?level="+level, []interface{}{"SELECT name FROM t WHERE id = ?", 1})
	if err != nil {
		return "", err
	}
	if len(r.Results) != 1 || len(r.Results[0].Values) != 1 {
		return "", fmt.Errorf("want 1 row, got %+v", r.Results)
	}
	s, _ := r.Results[0].Values[0][0].(string)
	return s, nil
}

// eventually retries f for up to d (bounded count too).
func eventually(t *testing.T, d time.Duration, f func() error) {
	t.Helper()
	var err error
	for i, end := 0, time.Now().Add(d); i < int(d/(100*time.Millisecond))+1; i++ {
		if err = f(); err == nil || time.Now().After(end) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
}

func TestClusterFailover(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: a real rqlite cluster (run without -short, or make test)")
	}
	c := Start(t, 3)

	if got := c.URL(); !strings.HasPrefix(got, "rqlite://127.0.0.1:") || strings.Count(got, ",") != 2 {
		t.Fatalf("URL() = %q", got)
	}
	for _, a := range c.Addrs() {
		if !strings.HasPrefix(a, "127.0.0.1:") {
			t.Fatalf("non-loopback addr %q", a)
		}
	}

	leader, err := c.Leader()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("leader: node%d of %s", leader, c.URL())

	// Write through a follower: rqlite forwards to the leader.
	follower := (leader + 1) % 3
	if _, err := post(t, c, follower, "/db/execute?transaction",
		[]interface{}{"CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"},
		[]interface{}{"INSERT INTO t (id, name) VALUES (?, ?)", 1, "alpha"},
	); err != nil {
		t.Fatal(err)
	}
	if got, err := readName(t, c, leader, "strong"); err != nil || got != "alpha" {
		t.Fatalf("strong read from leader = %q, %v", got, err)
	}

	// -fk is on: a foreign key violation is rejected.
	if _, err := post(t, c, leader, "/db/execute",
		[]interface{}{"CREATE TABLE child (id INTEGER PRIMARY KEY, t_id INTEGER NOT NULL REFERENCES t(id))"},
	); err != nil {
		t.Fatal(err)
	}
	if _, err := post(t, c, leader, "/db/execute",
		[]interface{}{"INSERT INTO child (id, t_id) VALUES (1, 42)"},
	); err == nil || !strings.Contains(err.Error(), "FOREIGN KEY constraint failed") {
		t.Fatalf("FK violation: err = %v", err)
	}

	// Kill the leader; a survivor must take over and still have the row.
	c.Kill(leader)
	if c.Running(leader) {
		t.Fatal("killed node still running")
	}
	newLeader, err := c.WaitLeader(30 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if newLeader == leader {
		t.Fatalf("leader is still the killed node%d", leader)
	}
	t.Logf("new leader: node%d", newLeader)
	survivor := 3 - leader - newLeader // the surviving follower
	eventually(t, 10*time.Second, func() error {
		got, err := readName(t, c, survivor, "none")
		if err == nil && got != "alpha" {
			err = fmt.Errorf("local read on node%d = %q", survivor, got)
		}
		return err
	})
	if got, err := readName(t, c, survivor, "linearizable"); err != nil || got != "alpha" {
		t.Fatalf("linearizable read via node%d = %q, %v", survivor, got, err)
	}

	// The cluster still accepts writes with 2 of 3 nodes.
	if _, err := post(t, c, survivor, "/db/execute",
		[]interface{}{"UPDATE t SET name = ? WHERE id = ?", "beta", 1},
	); err != nil {
		t.Fatal(err)
	}

	// Restart the killed node from its data dir; it catches up.
	c.Restart(leader)
	if err := c.WaitReady(30*time.Second, true); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, func() error {
		got, err := readName(t, c, leader, "none")
		if err == nil && got != "beta" {
			err = fmt.Errorf("local read on restarted node%d = %q", leader, got)
		}
		return err
	})
}

func TestBinaryPathMissing(t *testing.T) {
	t.Setenv(EnvBinary, filepath.Join(t.TempDir(), "no-such-rqlited"))
	_, err := BinaryPath()
	if err == nil || !strings.Contains(err.Error(), "make rqlited") {
		t.Fatalf("BinaryPath() err = %v, want a hint to run make rqlited", err)
	}
}
