package e2e

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestCNIThroughServer: with "server" in its config the plugin asks the
// running server: ADD, CHECK and DEL behave as with the store, and the
// allocations are the server's (the plugin never opens the store).
func TestCNIThroughServer(t *testing.T) {
	t.Parallel()
	url, _ := seeded(t)
	s := startServe(t, url)
	conf := netConf("1.1.0", "", `"node": "node-01", "server": "unix://`+s.sock+`"`)
	conf = strings.Replace(conf, `"store": "", `, "", 1)
	conf = strings.Replace(conf, `, "store": ""`, "", 1)
	out := cniOK(t, cniCall{command: "ADD", container: "srv1", conf: conf})
	res := parseResult(t, "1.1.0", out)
	if len(res.IPs) != 2 {
		t.Fatalf("ADD through the server: %v", res.IPs)
	}
	if again := cniOK(t, cniCall{command: "ADD", container: "srv1", conf: conf}); again != out {
		t.Fatalf("a second ADD of the attachment gave %s, want %s", again, out)
	}
	withPrev := strings.Replace(conf, `"ipam":`, `"prevResult": `+out+`, "ipam":`, 1)
	cniOK(t, cniCall{command: "CHECK", container: "srv1", conf: withPrev})
	if got := heldBy(t, url); len(got) != 2 || !strings.HasPrefix(got[0], "netipam-test/srv1/eth0@node-01") {
		t.Fatalf("the store holds %v", got)
	}
	cniOK(t, cniCall{command: "DEL", container: "srv1", conf: conf})
	if got := heldBy(t, url); len(got) != 0 {
		t.Fatalf("after DEL through the server the store holds %v", got)
	}
	// GC through the server releases what is not valid, nothing else.
	cniOK(t, cniCall{command: "ADD", container: "keep", conf: conf})
	cniOK(t, cniCall{command: "ADD", container: "stale", conf: conf})
	gc := strings.Replace(conf, `"ipam":`, `"cni.dev/valid-attachments": [{"containerID": "keep", "ifname": "eth0"}], "ipam":`, 1)
	cniOK(t, cniCall{command: "GC", conf: gc})
	if got := heldBy(t, url); len(got) != 2 || !strings.HasPrefix(got[0], "netipam-test/keep/eth0@node-01") || !strings.HasPrefix(got[1], "netipam-test/keep/eth0@node-01") {
		t.Fatalf("after GC through the server the store holds %v, want keep's two addresses", got)
	}
	cniOK(t, cniCall{command: "STATUS", conf: conf})
	// Errors keep their CNI codes through the server.
	bad := strings.Replace(conf, `"node": "node-01"`, `"node": "node-99"`, 1)
	if e := cniFail(t, cniCall{command: "ADD", container: "srv2", conf: bad}); e.Code != 7 || !strings.Contains(e.Msg, "node-99 is not registered") {
		t.Fatalf("unregistered node through the server: %+v", e)
	}
}

// TestCNIServerFallback: a server that cannot be reached at all (no socket)
// makes the plugin use the store when the config names it, saying so on
// stderr; without a store in the config it answers "try again later".
func TestCNIServerFallback(t *testing.T) {
	t.Parallel()
	url, _ := seeded(t)
	gone := "unix://" + filepath.Join(t.TempDir(), "no.sock")
	withStore := netConf("1.1.0", url, `"node": "node-01", "server": "`+gone+`"`)
	r := runPlugin(t, binary, cniCall{command: "ADD", container: "fb1", conf: withStore})
	if r.code != 0 || !strings.Contains(r.stderr, "cannot be reached") || !strings.Contains(r.stderr, "using the store") {
		t.Fatalf("fallback ADD: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if got := heldBy(t, url); !slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, "netipam-test/fb1/eth0@node-01") }) {
		t.Fatalf("the fallback ADD recorded nothing: %v", got)
	}
	noStore := strings.Replace(withStore, `"store": "`+url+`", `, "", 1)
	noStore = strings.Replace(noStore, `, "store": "`+url+`"`, "", 1)
	if strings.Contains(noStore, url) {
		t.Fatalf("config still names the store: %s", noStore)
	}
	if e := cniFail(t, cniCall{command: "ADD", container: "fb2", conf: noStore}); e.Code != 11 {
		t.Fatalf("no server and no store: %+v, want code 11", e)
	}
}

// TestCLIThroughServer: --server (and NETIPAM_SERVER) send alloc, release
// and usage to the server, with the same answers and exit codes as the
// store in process.
func TestCLIThroughServer(t *testing.T) {
	t.Parallel()
	url, _ := seeded(t)
	s := startServe(t, url)
	srv := "unix://" + s.sock
	out := mustRun(t, url, "--server", srv, "alloc", "--node", "node-01", "--container", "cli1", "--family", "4", "-o", "json")
	if !strings.Contains(out, `"container": "cli1"`) {
		t.Fatalf("alloc through the server: %s", out)
	}
	if got := heldBy(t, url); len(got) != 1 {
		t.Fatalf("the store holds %v", got)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"alloc", "--node", "node-99"}, 3, "node-99 is not registered"},
		{[]string{"alloc", "--node", "node-07", "--container", "cli1", "--family", "4"}, 4, "already holds"},
		{[]string{"alloc", "--node", "node-07", "--container", "cli2", "--family", "4"}, 0, ""},
		{[]string{"alloc", "--node", "node-01", "--ip", "10.244.8.9"}, 2, "not in a [default] subnet"},
		{[]string{"release", "--ip", "10.244.0.250"}, 3, "nothing released"},
	} {
		r := run(t, url, append([]string{"--server", srv}, tc.args...)...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v through the server: exit %d %q, want %d %q", tc.args, r.code, r.stderr, tc.code, tc.want)
		}
	}
	usage := mustRun(t, url, "--server", srv, "usage", "--level", "tor", "-o", "json")
	direct := mustRun(t, url, "usage", "--level", "tor", "-o", "json")
	if usage != direct {
		t.Fatalf("usage through the server differs from the store's:\n%s\nwant\n%s", usage, direct)
	}
	mustRun(t, url, "--server", srv, "release", "--container", "cli1")
	if got := heldBy(t, url); len(got) != 1 || !strings.Contains(got[0], "@node-07") {
		t.Fatalf("after release through the server: %v", got)
	}
	if r := run(t, url, "--server", "unix://"+filepath.Join(t.TempDir(), "none.sock"), "usage"); r.code != 6 {
		t.Fatalf("an unreachable server: exit %d %q, want 6", r.code, r.stderr)
	}
}

// TestCNILightStart: a call through the server is answered before the
// store's and the server's packages start (cmd/cni/early.go): the Go
// runtime's init trace of the plugin names none of them. A call that
// needs the store is handed over to the full start and answered the same
// way.
func TestCNILightStart(t *testing.T) {
	t.Parallel()
	url, _ := seeded(t)
	s := startServe(t, url)
	heavy := []string{"init github.com/netipam/netipam/store @", "init github.com/prometheus/client_golang/prometheus @",
		"init github.com/netipam/netipam/server @", "init github.com/netipam/netipam/ipam/local @",
		"init github.com/netipam/netipam/cmd @"}
	trace := []string{"GODEBUG=inittrace=1"}
	viaServer := netConf("1.1.0", url, `"node": "node-01", "server": "unix://`+s.sock+`"`)
	// VERSION is answered by cmd/cni/versionreply, which imports only
	// syscall: before os, net, the CNI library and the API client start
	// (the trace names a package once its init returns, so versionreply's
	// own exit leaves syscall the last it names of what VERSION needs).
	r := runPlugin(t, binary, cniCall{command: "VERSION", env: trace})
	if r.code != 0 || r.stdout != versionReply || !strings.Contains(r.stderr, "init syscall @") {
		t.Fatalf("VERSION: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	for _, h := range append(heavy, "init os @", "init net @", "init github.com/netipam/netipam/server/api @") {
		if strings.Contains(r.stderr, h) {
			t.Errorf("VERSION started %s: the early reply did not answer it", strings.TrimSuffix(h, " @"))
		}
	}
	for _, c := range []cniCall{
		{command: "ADD", container: "light", conf: viaServer, env: trace},
		{command: "DEL", container: "light", conf: viaServer, env: trace},
		{command: "STATUS", conf: viaServer, env: trace},
	} {
		r := runPlugin(t, binary, c)
		// The trace names a package once its init returns (and only one
		// with init work); the light start exits inside cmd/cni's, after
		// the API client's net/http, the last of its imports with init work.
		if r.code != 0 || !strings.Contains(r.stderr, "init net/http @") {
			t.Fatalf("%s through the server: exit %d, stdout %q, stderr %q", c.command, r.code, r.stdout, r.stderr)
		}
		for _, h := range heavy {
			if strings.Contains(r.stderr, h) {
				t.Errorf("%s through the server started %s: the light start did not answer it", c.command, strings.TrimSuffix(h, " @"))
			}
		}
	}
	direct := netConf("1.1.0", url, `"node": "node-01"`)
	r = runPlugin(t, binary, cniCall{command: "ADD", container: "full", conf: direct, env: trace})
	if r.code != 0 || !strings.Contains(r.stderr, heavy[0]) || len(parseResult(t, "1.1.0", r.stdout).IPs) != 2 {
		t.Fatalf("ADD on the store: exit %d, stdout %q; want two addresses after the store started (handover)", r.code, r.stdout)
	}
}

// versionReply is what a CNI plugin of versions 0.3.0 to 1.1.0 prints for
// VERSION.
const versionReply = `{"cniVersion":"1.1.0","supportedVersions":["0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]}` + "\n"
