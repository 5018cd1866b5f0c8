package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// socketPost sends a JSON body to the server's unix socket and gives the
// status and the answer's body.
func socketPost(t *testing.T, sock, path, body string) (int, string) {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", sock)
		}}}
	defer c.CloseIdleConnections()
	resp, err := c.Post("http://netipam"+path, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// compact is JSON without its indentation.
func compact(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(s)); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, s)
	}
	return b.String()
}

// TestServeAllocationForm: an allocation has one JSON form. The API's
// answers (POST /v1/allocate, GET /v1/allocations) are byte for byte
// what `netipam alloc -o json` prints, directly and through --server.
func TestServeAllocationForm(t *testing.T) {
	t.Parallel()
	url, _ := seeded(t)
	args := []string{"alloc", "--node", "node-01", "--container", "c1", "--pod", "web/web-0", "-o", "json"}
	mustRun(t, url, args...)
	cli := compact(t, mustRun(t, url, args...)) // asked again: the same addresses, with their time
	for _, key := range []string{`"cidr":`, `"prefix_length":`, `"family":6`, `"pod":"web/web-0"`, `"allocated_at":`} {
		if !strings.Contains(cli, key) {
			t.Fatalf("alloc -o json has no %s: %s", key, cli)
		}
	}
	s := startServe(t, url)
	code, api := socketPost(t, s.sock, "/v1/allocate",
		`{"node":"node-01","container":"c1","ifname":"eth0","pod_namespace":"web","pod_name":"web-0"}`)
	if code != http.StatusOK || compact(t, api) != cli {
		t.Fatalf("POST /v1/allocate: %d\n%s\nwant the CLI's\n%s", code, api, cli)
	}
	if code, api := socketGet(t, s.sock, "/v1/allocations?container=c1"); code != http.StatusOK || compact(t, api) != cli {
		t.Fatalf("GET /v1/allocations: %d\n%s\nwant the CLI's\n%s", code, api, cli)
	}
	if remote := compact(t, mustRun(t, url, append([]string{"--server", "unix://" + s.sock}, args...)...)); remote != cli {
		t.Fatalf("alloc --server:\n%s\nwant\n%s", remote, cli)
	}
	if code, api := socketGet(t, s.sock, "/v1/allocations?container=none"); code != http.StatusOK || compact(t, api) != "[]" {
		t.Fatalf("GET /v1/allocations of nothing: %d %s, want []", code, api)
	}
}
