package e2e

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// fillerTopology has n TORs with one /26 each: an import that writes far
// more than the WAL a seeded store keeps.
func fillerTopology(t *testing.T, n int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("topology:\n  zones:\n    - id: zone-f\n      cidr: \"10.128.0.0/10\"\n      pods:\n        - id: pod-f\n          cidr: \"10.128.0.0/11\"\n          tors:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "            - id: tor-f%d\n              subnets:\n                - cidr: \"10.%d.%d.%d/26\"\n                  purpose: default\n",
			i, 128+i/1024, (i/4)%256, (i%4)*64)
	}
	p := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// fill writes a file until the device is full.
func fill(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 4096)
	for {
		if _, err := f.Write(buf); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("fill %s: %v", path, err)
			}
			return
		}
	}
}

// TestDiskFull: a write that finds the store's device full says so (exit
// 7, "no space left on the store's device"), leaves the store as it was,
// and works again once there is room.
func TestDiskFull(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a small tmpfs")
	}
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("mount tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", mnt).Run() })
	path := filepath.Join(mnt, "netipam.db")
	url := "sqlite://" + path
	mustRun(t, url, "topo", "import", repoPath("testdata/topology.yaml"))
	mustRun(t, url, "node", "import", repoPath("testdata/nodes.yaml"))
	mustRun(t, url, "alloc", "--node", "node-01")
	before := dump(t, path)
	big := fillerTopology(t, 300)
	filler := filepath.Join(mnt, "filler")
	fill(t, filler)
	for _, args := range [][]string{{"topo", "import", big}, {"init"}} {
		r := run(t, url, args...)
		if args[0] == "init" && r.code == 0 {
			continue // nothing to write: fine
		}
		if r.code != 7 || !strings.Contains(r.stderr, "no space left on the store's device") {
			t.Errorf("netipam %v on a full device: exit %d, stderr %q; want 7 and 'no space left on the store's device'",
				args[:1], r.code, r.stderr)
		}
	}
	if dump(t, path) != before {
		t.Fatal("the store changed on a full device")
	}
	mustRun(t, url, "usage")
	os.Remove(filler)
	mustRun(t, url, "topo", "import", big)
	checkIntegrity(t, path)
}
