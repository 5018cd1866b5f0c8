package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// readCommands are the commands that only read: they must work on a store
// file or mount nobody lets them write.
func readCommands() [][]string {
	return [][]string{
		{"usage"},
		{"sql", "SELECT COUNT(*) FROM allocations"},
		{"history", "--ip", "10.244.0.2"},
		{"topo", "show"},
		{"topo", "export"},
		{"node", "list"},
		{"subnet", "list"},
		{"topo", "import", "--dry-run", repoPath("testdata/topology.yaml")},
	}
}

// runAsNobody runs netipam as uid 65534, which may read but not write a
// store that root made read-only (root ignores file modes).
func runAsNobody(t *testing.T, url string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = []string{"NETIPAM_STORE=" + url, "HOME=/nonexistent"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run netipam %v as nobody: %v", args, err)
	}
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// readOnlyStore gives a seeded store with an allocation that nobody may
// write: files 0444, directories 0755 and owned by root.
func readOnlyStore(t *testing.T) (url, path string) {
	t.Helper()
	if testing.Short() {
		t.Skip("integration: runs netipam as another user (needs root)")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root to run netipam as another user (CI runs as root)")
	}
	url, path = seeded(t)
	mustRun(t, url, "alloc", "--node", "node-01")
	dir := filepath.Dir(path)
	for _, p := range []string{filepath.Dir(dir), dir, filepath.Dir(binary)} {
		if err := os.Chmod(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	files, _ := filepath.Glob(path + "*")
	for _, f := range files {
		if err := os.Chmod(f, 0o444); err != nil {
			t.Fatal(err)
		}
	}
	return url, path
}

// TestReadOnlyDatabase runs netipam as an unprivileged user against a store
// it may read but not write: writes get a clear error, exit 7; reads work;
// data and files unchanged.
func TestReadOnlyDatabase(t *testing.T) {
	url, path := readOnlyStore(t)
	before := dump(t, path)
	files := tree(t, filepath.Dir(path))
	for _, args := range [][]string{{"alloc", "--node", "node-01"}, {"node", "register", "--id", "n9", "--tor", "tor-1"},
		{"init"}, {"topo", "import", repoPath("testdata/topology.yaml")}} {
		r := runAsNobody(t, url, args...)
		if r.code != 7 || !strings.Contains(r.stderr, "read-only") {
			t.Errorf("netipam %v as nobody on a read-only store: exit %d, stderr %q; want 7 saying read-only", args, r.code, r.stderr)
		}
	}
	for _, args := range readCommands() {
		if r := runAsNobody(t, url, args...); r.code != 0 {
			t.Errorf("netipam %v as nobody on a read-only store: exit %d, stderr %q; want it to read", args, r.code, r.stderr)
		}
	}
	if r := runAsNobody(t, url, "sql", "SELECT COUNT(*) FROM allocations"); r.stdout != "COUNT(*)\n2\n" {
		t.Errorf("sql as nobody: %q", r.stdout)
	}
	if dump(t, path) != before {
		t.Fatal("the read-only store changed")
	}
	if got := tree(t, filepath.Dir(path)); !slices.Equal(got, files) {
		t.Fatalf("files %v, want %v", got, files)
	}
}

// TestReadOnlyDatabaseWithoutIndex: a read-only store whose WAL index
// (-shm) is missing (last closed by an older netipam) cannot be read safely
// by a user who may not create the index while its owner may write: a
// clear error, exit 7, saying what to do; once the owner ran a write
// command, it reads.
func TestReadOnlyDatabaseWithoutIndex(t *testing.T) {
	url, path := readOnlyStore(t)
	os.Remove(path + "-wal") // checkpointed when the last process closed
	os.Remove(path + "-shm")
	r := runAsNobody(t, url, "usage")
	if r.code != 7 || !strings.Contains(r.stderr, "-shm") || !strings.Contains(r.stderr, "netipam init") {
		t.Fatalf("usage as nobody without -shm: exit %d, stderr %q; want 7 naming -shm and netipam init", r.code, r.stderr)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	mustRun(t, url, "init")
	if r := runAsNobody(t, url, "usage"); r.code != 0 {
		t.Fatalf("usage as nobody after init: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestReadOnlyMount reads a store through a read-only bind mount, with and
// without its WAL files: read commands work, writes exit 7, and nothing
// changes.
func TestReadOnlyMount(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount")
	}
	for _, withWAL := range []bool{true, false} {
		url, path := seeded(t)
		mustRun(t, url, "alloc", "--node", "node-01")
		if !withWAL {
			os.Remove(path + "-wal")
			os.Remove(path + "-shm")
		}
		before := dump(t, path)
		files := tree(t, filepath.Dir(path))
		mnt := t.TempDir()
		if out, err := exec.Command("mount", "--bind", filepath.Dir(path), mnt).CombinedOutput(); err != nil {
			t.Skipf("mount --bind: %v %s", err, out)
		}
		t.Cleanup(func() { exec.Command("umount", mnt).Run() })
		if out, err := exec.Command("mount", "-o", "remount,bind,ro", mnt).CombinedOutput(); err != nil {
			t.Fatalf("remount ro: %v %s", err, out)
		}
		roURL := "sqlite://" + filepath.Join(mnt, filepath.Base(path))
		for _, args := range readCommands() {
			if r := run(t, roURL, args...); r.code != 0 {
				t.Errorf("wal %v: netipam %v on a read-only mount: exit %d, stderr %q", withWAL, args, r.code, r.stderr)
			}
		}
		for _, args := range [][]string{{"alloc", "--node", "node-01"}, {"init"}} {
			if r := run(t, roURL, args...); r.code != 7 || !strings.Contains(r.stderr, "read-only") {
				t.Errorf("wal %v: netipam %v on a read-only mount: exit %d, stderr %q; want 7 saying read-only", withWAL, args, r.code, r.stderr)
			}
		}
		if dump(t, path) != before {
			t.Fatalf("wal %v: the store changed", withWAL)
		}
		if got := tree(t, filepath.Dir(path)); !slices.Equal(got, files) {
			t.Fatalf("wal %v: files %v, want %v", withWAL, got, files)
		}
	}
}
