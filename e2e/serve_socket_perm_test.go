package e2e

import (
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// nobody is the unprivileged user the permission tests run netipam as.
const nobody = 65534

// openDir makes a directory every user may enter, removed at cleanup
// (t.TempDir's parent is private to root).
func openDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "netipam-perm-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// runBinAsNobody runs bin as uid/gid 65534 with env (CNI or CLI) and stdin.
func runBinAsNobody(t *testing.T, bin string, env []string, stdin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(cniEnviron(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	return runCmd(t, cmd, stdin)
}

// cniEnv is the CNI environment of one ADD.
func cniEnv(container string) []string {
	return []string{"CNI_COMMAND=ADD", "CNI_CONTAINERID=" + container, "CNI_IFNAME=eth0",
		"CNI_NETNS=" + noNetNS, "CNI_PATH=/nonexistent", "CNI_ARGS="}
}

// TestSocketPermissionDenied: a server socket this user may not use is
// an error naming the socket, its group and what to do, from the CLI and
// from the CNI plugin, which does not fall back to the store it names.
func TestSocketPermissionDenied(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("running netipam as another user (65534) needs root")
	}
	dir := openDir(t)
	bin := filepath.Join(dir, "netipam")
	copyFile(t, binary, bin, 0o755)
	url, path := seeded(t)
	s := startServeAt(t, filepath.Join(dir, "netipam.sock"), url)
	if err := os.Chmod(s.sock, 0o600); err != nil {
		t.Fatal(err)
	}
	before := dump(t, path)

	r := runBinAsNobody(t, bin, nil, "", "alloc", "--server", "unix://"+s.sock, "--node", "node-01", "--container", "p1")
	for _, want := range []string{s.sock, "permission denied", "group root", "usermod -aG root", "run as root"} {
		if r.code != 2 || !strings.Contains(r.stderr, want) {
			t.Errorf("CLI as nobody: exit %d, want 2 and %q\n%s", r.code, want, r.stderr)
		}
	}
	conf := netConf("1.1.0", url, `"node": "node-01", "server": "unix://`+s.sock+`"`)
	r = runBinAsNobody(t, bin, cniEnv("p2"), conf)
	var e cniError
	if err := json.Unmarshal([]byte(r.stdout), &e); err != nil || e.Code != 7 || !strings.Contains(e.Msg+e.Details, s.sock) ||
		!strings.Contains(e.Msg+e.Details, "group root") || strings.Contains(r.stderr, "using the store") || strings.Contains(e.Msg+e.Details, "cannot be reached") {
		t.Errorf("CNI as nobody: exit %d, %+v (%v), want code 7 naming the socket and its group, no fallback\n%s", r.code, e, err, r.stderr)
	}

	// A socket in a directory this user may not enter: the same error,
	// naming the directory as the cause.
	private := filepath.Join(t.TempDir(), "netipam.sock")
	s2 := startServeAt(t, private, url)
	r = runBinAsNobody(t, bin, nil, "", "usage", "--server", "unix://"+s2.sock)
	if r.code != 2 || !strings.Contains(r.stderr, s2.sock) || !strings.Contains(r.stderr, "directory above it") {
		t.Errorf("CLI as nobody, private directory: exit %d\n%s", r.code, r.stderr)
	}
	if after := dump(t, path); after != before {
		t.Errorf("refused calls changed the store")
	}
}

// TestSocketNotASocket: a server path that exists but is not a socket (a
// regular file, a directory) is an error, not a server that is down: no
// fallback to the store.
func TestSocketNotASocket(t *testing.T) {
	t.Parallel()
	url, path := seeded(t)
	file := filepath.Join(t.TempDir(), "netipam.sock")
	if err := os.WriteFile(file, []byte("not a socket"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := dump(t, path)
	for what, p := range map[string]string{"a regular file": file, "a directory": t.TempDir()} {
		r := run(t, url, "alloc", "--server", "unix://"+p, "--node", "node-01", "--container", "nf")
		if r.code != 2 || !strings.Contains(r.stderr, p) || !strings.Contains(r.stderr, "it is "+what+", not a socket") {
			t.Errorf("CLI, %s: exit %d\n%s", what, r.code, r.stderr)
		}
		e := cniFail(t, cniCall{command: "ADD", container: "nf", conf: netConf("1.1.0", url, `"node": "node-01", "server": "unix://`+p+`"`)})
		if e.Code != 7 || !strings.Contains(e.Msg+e.Details, "not a socket") {
			t.Errorf("CNI, %s: %+v, want code 7 and no fallback", what, e)
		}
	}
	if after := dump(t, path); after != before {
		t.Errorf("refused calls changed the store")
	}
}

// copyFile copies src to dst with mode.
func copyFile(t *testing.T, src, dst string, mode os.FileMode) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
