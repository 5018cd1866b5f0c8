package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestReadOnlyDatabase runs netipam as an unprivileged user against a store
// it may read but not write: a clear error, exit 7, data unchanged. Root
// ignores file modes, so the test drops to nobody (65534) for the run.
func TestReadOnlyDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: runs netipam as another user (needs root)")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root to run netipam as another user (CI runs as root)")
	}
	url, path := seeded(t)
	mustRun(t, url, "alloc", "--node", "node-01")
	before := dump(t, path)
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
	for _, args := range [][]string{{"alloc", "--node", "node-01"}, {"node", "register", "--id", "n9", "--tor", "tor-1"}} {
		cmd := exec.Command(binary, args...)
		cmd.Env = []string{"NETIPAM_STORE=" + url, "HOME=/nonexistent"}
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != 7 {
			t.Fatalf("netipam %v as nobody on a read-only store: %v, stderr %q; want exit 7", args, err, stderr.String())
		}
		if !strings.Contains(stderr.String(), "read-only") {
			t.Errorf("stderr %q does not say the store is read-only", stderr.String())
		}
	}
	if dump(t, path) != before {
		t.Fatal("the read-only store changed")
	}
}
