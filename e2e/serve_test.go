package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/cmd"
	"github.com/netipam/netipam/server"
	"github.com/netipam/netipam/server/api"
	"github.com/netipam/netipam/topo"
)

// raw sends one request over a unix socket or to a TCP address and returns
// the status and the error body's kind.
func raw(t *testing.T, network, addr, method, path, body string, header http.Header) (int, string) {
	t.Helper()
	status, e := rawError(t, network, addr, method, path, body, header)
	return status, e.Kind
}

// rawError is raw, giving the whole error body.
func rawError(t *testing.T, network, addr, method, path, body string, header http.Header) (int, api.Error) {
	t.Helper()
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		}}}
	req, err := http.NewRequest(method, "http://netipam"+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var e api.Error
	json.Unmarshal(b, &e)
	return resp.StatusCode, e
}

func TestServeAPI(t *testing.T) {
	t.Parallel()
	url, _ := seeded(t)
	s := startServe(t, url)
	c, ctx := s.client, context.Background()

	got, err := c.Allocate(ctx, alloc.Request{Node: "node-01", Purposes: []topo.Purpose{"storage"}})
	if err != nil || len(got) != 1 || !netip.MustParsePrefix("10.244.4.0/24").Contains(got[0].Address) {
		t.Fatalf("allocate storage on node-01: %v, %v", got, err)
	}
	cni := alloc.Request{Node: "node-01", Network: "net1", Container: "c1", IfName: "eth0"}
	first, err := c.Allocate(ctx, cni)
	if err != nil || len(first) == 0 {
		t.Fatalf("allocate an attachment: %v, %v", first, err)
	}
	again, err := c.Allocate(ctx, cni)
	if err != nil || len(again) != len(first) || again[0].Address != first[0].Address {
		t.Fatalf("the same attachment again got %v, %v; want %v", again, err, first)
	}
	node := "node-01"
	list, err := c.Allocations(ctx, topo.AllocationFilter{Node: &node})
	if err != nil || len(list) != 1+len(first) {
		t.Fatalf("node-01's allocations: %v, %v", list, err)
	}
	tor, err := c.NodeTOR(ctx, "node-01")
	if err != nil || tor != "tor-1" {
		t.Fatalf("node-01's TOR: %q, %v", tor, err)
	}
	us, err := c.Usage(ctx)
	if err != nil || len(us) == 0 {
		t.Fatalf("usage: %v, %v", us, err)
	}
	var torStorage uint64
	for _, u := range us {
		if u.Level == "tor" && u.ID == "tor-1" && u.Purpose == "storage" {
			torStorage = u.Used
		}
	}
	if torStorage != 1 {
		t.Errorf("usage: tor-1 storage used %d, want 1", torStorage)
	}
	out, err := c.Release(ctx, topo.OwnedBy("node-01", topo.Attachment{Network: "net1", Container: "c1", IfName: "eth0"}), "release")
	if err != nil || len(out) != len(first) {
		t.Fatalf("release the attachment: %v, %v", out, err)
	}
	out, err = c.Release(ctx, topo.AllocationFilter{Addresses: []netip.Addr{got[0].Address}}, "release")
	if err != nil || len(out) != 1 {
		t.Fatalf("release %s: %v, %v", got[0].Address, out, err)
	}
	if list, _ = c.Allocations(ctx, topo.AllocationFilter{Node: &node}); len(list) != 0 {
		t.Errorf("after the releases node-01 holds %v", list)
	}

	// Errors keep their kinds through the server.
	held, err := c.Allocate(ctx, alloc.Request{Node: "node-01", Purposes: []topo.Purpose{"storage"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		req  alloc.Request
		kind error
		exit int
	}{
		{"unknown node", alloc.Request{Node: "no-such-node"}, topo.ErrNotFound, cmd.ExitNotFound},
		{"address held", alloc.Request{Node: "node-02", Purposes: []topo.Purpose{"storage"}, IPs: []netip.Addr{held[0].Address}}, topo.ErrConflict, cmd.ExitConflict},
		{"more than the subnet", alloc.Request{Node: "node-01", Purposes: []topo.Purpose{"management"}, Count: 100}, topo.ErrExhausted, cmd.ExitExhausted},
		{"control character", alloc.Request{Node: "node-01", Network: "n", Container: "c\x01", IfName: "eth0"}, topo.ErrInvalid, cmd.ExitInvalid},
	} {
		_, err := c.Allocate(ctx, tc.req)
		if !errors.Is(err, tc.kind) {
			t.Errorf("%s: got %v, want kind %v", tc.name, err, tc.kind)
		}
		if code := cmd.ExitCode(err); code != tc.exit {
			t.Errorf("%s: exit code %d through the server, want %d", tc.name, code, tc.exit)
		}
		if errors.Is(err, api.ErrUnreachable) {
			t.Errorf("%s: %v is not unreachable: the server answered", tc.name, err)
		}
	}
	if _, err := c.NodeTOR(ctx, "no-such-node"); !errors.Is(err, topo.ErrNotFound) {
		t.Errorf("unknown node's TOR: %v, want not found", err)
	}
}

func TestServeBadRequests(t *testing.T) {
	t.Parallel()
	url, path := seeded(t)
	s := startServe(t, url)
	before := dump(t, path)
	huge := `{"node":"node-01","pod_name":"` + strings.Repeat("x", 2<<20) + `"}`
	for _, tc := range []struct{ name, method, path, body string }{
		{"malformed", "POST", "/v1/allocate", `{"node":`},
		{"unknown field", "POST", "/v1/allocate", `{"node":"node-01","colour":"red"}`},
		{"wrong type", "POST", "/v1/allocate", `{"node":"node-01","count":"two"}`},
		{"two objects", "POST", "/v1/allocate", `{"node":"node-01"}{"node":"node-01"}`},
		{"oversized", "POST", "/v1/allocate", huge},
		{"control character", "POST", "/v1/allocate", `{"node":"node-01","pod_name":"a\u0007b"}`},
		{"over-long", "POST", "/v1/allocate", `{"node":"node-01","pod_name":"` + strings.Repeat("x", 1000) + `"}`},
		{"bad address", "POST", "/v1/allocate", `{"node":"node-01","ips":["10.244.4.300"]}`},
		{"release nothing named", "POST", "/v1/release", `{}`},
		{"release kind", "POST", "/v1/release", `{"node":"node-01","kind":"delete"}`},
		{"release unknown field", "POST", "/v1/release", `{"node":"node-01","everything":true}`},
		{"bad query address", "GET", "/v1/allocations?address=nope", ``},
	} {
		status, kind := raw(t, "unix", s.sock, tc.method, tc.path, tc.body, nil)
		if status != http.StatusBadRequest || kind != "invalid" {
			t.Errorf("%s: status %d kind %q, want 400 invalid", tc.name, status, kind)
		}
	}
	// Every input is bounded as the CLI's is (the same validation), and
	// the answer names the field.
	addrs := func(n int) string {
		var b strings.Builder
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `"10.%d.%d.%d"`, 100+i>>16, i>>8&0xff, i&0xff)
		}
		return b.String()
	}
	owners := func(n int) string {
		var b strings.Builder
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"network":"n","container":"c%d","ifname":"eth0"}`, i)
		}
		return b.String()
	}
	for _, tc := range []struct{ name, method, path, body, field string }{
		{"count too large", "POST", "/v1/allocate", `{"node":"node-01","count":200000}`, "count 200000"},
		{"count negative", "POST", "/v1/allocate", `{"node":"node-01","count":-5}`, "count -5"},
		{"count times purposes", "POST", "/v1/allocate", `{"node":"node-01","count":40000,"purposes":["default","storage"]}`, "count 40000"},
		{"purpose twice", "POST", "/v1/allocate", `{"node":"node-01","purposes":["default","default"]}`, `purpose "default" is given twice`},
		{"bad purpose", "POST", "/v1/allocate", `{"node":"node-01","purposes":["Default!"]}`, "purpose"},
		{"bad family", "POST", "/v1/allocate", `{"node":"node-01","family":5}`, "family 5"},
		{"no node", "POST", "/v1/allocate", `{"purposes":["default"]}`, "node"},
		{"ip twice", "POST", "/v1/allocate", `{"node":"node-01","ips":["10.244.0.9","10.244.0.9"]}`, "ip 10.244.0.9 is given twice"},
		{"too many ips", "POST", "/v1/allocate", `{"node":"node-01","ips":[` + addrs(10001) + `]}`, "ips: 10001 entries, at most 10000"},
		{"duplicate key", "POST", "/v1/allocate", `{"node":"node-01","node":"node-02"}`, `key "node" is given twice`},
		{"case variant key", "POST", "/v1/allocate", `{"Node":"node-01"}`, `key "Node" at the top level: write it "node"`},
		{"release duplicate key", "POST", "/v1/release", `{"node":"node-01","node":"node-02"}`, `key "node" is given twice`},
		{"release case variant", "POST", "/v1/release", `{"Addresses":["10.244.0.50"]}`, `write it "addresses"`},
		{"release too many addresses", "POST", "/v1/release", `{"addresses":[` + addrs(10001) + `]}`, "addresses: 10001 entries, at most 10000"},
		{"release too many not_owners", "POST", "/v1/release", `{"node":"node-01","network":"n","not_owners":[` + owners(10001) + `]}`, "not_owners: 10001 entries"},
		{"gc duplicate key", "POST", "/v1/gc", `{"node":"node-01","node":"node-02","allow_empty":true}`, `key "node" is given twice`},
		{"adopt case variant", "POST", "/v1/adopt", `{"node":"node-01","network":"n","Leases":[]}`, `write it "leases"`},
		{"forecast threshold NaN", "GET", "/v1/report/forecast?threshold=NaN", ``, "threshold NaN"},
		{"forecast threshold Inf", "GET", "/v1/report/forecast?threshold=Inf", ``, "threshold +Inf"},
		{"forecast threshold above 1", "GET", "/v1/report/forecast?threshold=2", ``, "threshold 2"},
		{"forecast threshold negative", "GET", "/v1/report/forecast?threshold=-0.5", ``, "threshold -0.5"},
		{"forecast window", "GET", "/v1/report/forecast?window=-1d", ``, "window"},
		{"leaks node control character", "GET", "/v1/report/leaks?node=a%07b", ``, "node"},
		{"subnets tor over-long", "GET", "/v1/subnets?tor=" + strings.Repeat("t", 300), ``, "tor is 300 characters"},
		{"node tor over-long", "GET", "/v1/nodes/" + strings.Repeat("n", 300) + "/tor", ``, "node is 300 characters"},
	} {
		status, e := rawError(t, "unix", s.sock, tc.method, tc.path, tc.body, nil)
		if status != http.StatusBadRequest || e.Kind != "invalid" || !strings.Contains(e.Error, tc.field) {
			t.Errorf("%s: status %d kind %q %q, want 400 invalid naming %q", tc.name, status, e.Kind, e.Error, tc.field)
		}
	}
	if after := dump(t, path); after != before {
		t.Errorf("bad requests changed the store:\n%s", after)
	}
}

func TestServeTCPToken(t *testing.T) {
	url, path := seeded(t)
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("s3cret-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freePort(t)
	s := startServe(t, url, "--listen", "tcp://"+addr, "--token-file", tokenFile)
	before := dump(t, path)
	body := `{"node":"node-01","purposes":["storage"]}`
	for _, h := range []http.Header{nil, {"Authorization": {"Bearer wrong"}}, {"Authorization": {"s3cret-token"}},
		{"Authorization": {"Basic s3cret-token"}}, {"Authorization": {"Bearer"}}, {"Authorization": {"bearer "}},
		{"Authorization": {"Bearers3cret-token"}}, {"Authorization": {"Bearer s3cret-token2"}}} {
		if status, kind := raw(t, "tcp", addr, "POST", "/v1/allocate", body, h); status != http.StatusUnauthorized || kind != "unauthorized" {
			t.Errorf("allocate with %v: status %d kind %q, want 401 unauthorized", h, status, kind)
		}
	}
	if after := dump(t, path); after != before {
		t.Errorf("unauthorized requests changed the store:\n%s", after)
	}
	// The scheme is case-insensitive (RFC 7235): lower, upper and mixed
	// case, and more than one space, are all the Bearer scheme.
	for _, v := range []string{"bearer s3cret-token", "BEARER s3cret-token", "BeArEr s3cret-token", "Bearer  s3cret-token"} {
		if status, kind := raw(t, "tcp", addr, "GET", "/v1/nodes/node-01/tor", "", http.Header{"Authorization": {v}}); status != http.StatusOK {
			t.Errorf("GET with Authorization %q: status %d kind %q, want 200", v, status, kind)
		}
	}
	bad, err := server.NewClient("http://"+addr, "wrong")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bad.Allocate(context.Background(), alloc.Request{Node: "node-01"}); !errors.Is(err, topo.ErrUnauthorized) {
		t.Errorf("client with a wrong token: %v, want unauthorized", err)
	}
	good, err := server.NewClient("http://"+addr, "s3cret-token")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := good.Allocate(context.Background(), alloc.Request{Node: "node-01", Purposes: []topo.Purpose{"storage"}}); err != nil || len(got) != 1 {
		t.Errorf("client with the token: %v, %v", got, err)
	}
	// The unix socket needs no token; its file mode guards it.
	if fi, err := os.Stat(s.sock); err != nil || fi.Mode().Perm() != 0o660 || fi.Mode().Type() != os.ModeSocket {
		t.Errorf("socket %s: %v, %v; want a socket with mode 0660", s.sock, fi.Mode(), err)
	}
}

func TestServeRefuses(t *testing.T) {
	url, _ := seeded(t)
	missing := "sqlite://" + filepath.Join(t.TempDir(), "missing.db")
	r := run(t, missing, "serve", "--listen", "unix://"+filepath.Join(t.TempDir(), "s.sock"))
	if r.code != 7 || !strings.Contains(r.stderr, "netipam init") {
		t.Errorf("serve on a missing store: exit %d, %s; want 7 and how to create it", r.code, r.stderr)
	}
	r = run(t, url, "serve", "--listen", "tcp://"+freePort(t))
	if r.code != 2 || !strings.Contains(r.stderr, "--token-file") {
		t.Errorf("serve on TCP without a token: exit %d, %s; want 2 naming --token-file", r.code, r.stderr)
	}
	s := startServe(t, url)
	r = run(t, url, "serve", "--listen", "unix://"+s.sock)
	if r.code == 0 || !strings.Contains(r.stderr, "already listens") {
		t.Errorf("second server on a live socket: exit %d, %s", r.code, r.stderr)
	}
	c, err := server.NewClient("unix://"+filepath.Join(t.TempDir(), "nobody.sock"), "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.NodeTOR(context.Background(), "node-01"); !errors.Is(err, api.ErrUnreachable) || !errors.Is(err, topo.ErrUnavailable) {
		t.Errorf("no socket: %v, want unreachable (and unavailable)", err)
	}
}

// TestServeStaleSocket: a socket file nobody listens on (a server that
// was killed) is replaced; a regular file is not.
func TestServeStaleSocket(t *testing.T) {
	t.Parallel()
	url, _ := seeded(t)
	sock := filepath.Join(t.TempDir(), "stale.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close()
	if _, err := os.Stat(sock); err != nil {
		t.Fatalf("the stale socket is gone already: %v", err)
	}
	s := startServeAt(t, sock, url)
	if _, err := s.client.NodeTOR(context.Background(), "node-01"); err != nil {
		t.Errorf("on the replaced socket: %v", err)
	}
	plain := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(plain, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := run(t, url, "serve", "--listen", "unix://"+plain)
	if b, _ := os.ReadFile(plain); r.code != 2 || string(b) != "keep me" {
		t.Errorf("serve on a regular file: exit %d, file %q, %s", r.code, b, r.stderr)
	}
}
