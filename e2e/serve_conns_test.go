package e2e

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/server"
	"github.com/netipam/netipam/topo"
)

// tokenFile writes a bearer token file.
func tokenFile(t *testing.T, token string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(p, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestServeUnauthorizedCloses: a request without the token is answered 401
// and its connection closed by the server, so that idle clients without a
// token hold no connection.
func TestServeUnauthorizedCloses(t *testing.T) {
	t.Parallel()
	url, _ := seeded(t)
	addr := freePort(t)
	startServe(t, url, "--listen", "tcp://"+addr, "--token-file", tokenFile(t, "s3cret-token"))
	for _, auth := range []string{"", "Authorization: Bearer wrong\r\n"} {
		c, err := net.DialTimeout("tcp", addr, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(30 * time.Second))
		if _, err := io.WriteString(c, "GET /v1/usage HTTP/1.1\r\nHost: netipam\r\n"+auth+"\r\n"); err != nil {
			t.Fatal(err)
		}
		br := bufio.NewReader(c)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("read the answer: %v", err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || !resp.Close {
			t.Errorf("%q: status %d, close %v; want 401 and Connection: close", auth, resp.StatusCode, resp.Close)
		}
		// The server closes its end: the next read is EOF, not a timeout.
		if n, err := br.ReadByte(); err != io.EOF {
			t.Errorf("%q: after the 401 the connection gave %v, %v; want EOF (closed by the server)", auth, n, err)
		}
	}
}

// TestServeTCPFloodLeavesUnixSocket: more idle TCP connections than the
// process may open files leave the unix socket answering, since each TCP
// listener accepts at most --max-conns; and once the flood is gone a
// client with the token is served.
func TestServeTCPFloodLeavesUnixSocket(t *testing.T) {
	t.Parallel()
	url, path := seeded(t)
	addr := freePort(t)
	const files, maxConns, flood = 64, 16, 128 // the server idles at about 16 open files
	s := startServeFiles(t, filepath.Join(t.TempDir(), "netipam.sock"), url, files,
		"--listen", "tcp://"+addr, "--token-file", tokenFile(t, "s3cret-token"), "--max-conns", strconv.Itoa(maxConns))
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range flood {
		c, err := net.DialTimeout("tcp", addr, 10*time.Second)
		if err != nil {
			t.Fatalf("dial %d: %v", len(conns), err)
		}
		conns = append(conns, c)
	}
	// A request on each accepted connection, without a token, half sent:
	// the connection stays open while the server waits for the rest.
	for _, c := range conns[:maxConns] {
		io.WriteString(c, "POST /v1/allocate HTTP/1.1\r\nHost: netipam\r\n")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	got, err := s.client.Allocate(ctx, alloc.Request{Node: "node-01", Purposes: []topo.Purpose{"storage"}})
	if err != nil || len(got) != 1 {
		t.Fatalf("allocate on the unix socket during the TCP flood: %v, %v\n%s", got, err, s.stderr)
	}
	if strings.Contains(s.stderr.String(), "too many open files") {
		t.Errorf("the server ran out of file descriptors:\n%s", s.stderr)
	}
	for _, c := range conns {
		c.Close()
	}
	conns = nil
	good, err := server.NewClient("http://"+addr, "s3cret-token")
	if err != nil {
		t.Fatal(err)
	}
	var last error
	for range 100 { // the flood's connections are closed as the server reaches them
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, last = good.NodeTOR(ctx, "node-01")
		cancel()
		if last == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if last != nil {
		t.Fatalf("a client with the token after the flood: %v\n%s", last, s.stderr)
	}
	if rows := held(t, path); len(rows) != 1 {
		t.Errorf("the store holds %d allocations, want the 1 made through the unix socket", len(rows))
	}
}
