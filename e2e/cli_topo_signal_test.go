package e2e

import (
	"bytes"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestTopoImportStopsOnSIGTERM sends SIGTERM to a real `topo import` of
// 30,720 subnets while it parses, plans and writes. The bound is relative:
// an uninterrupted import is timed first in the same test, and each
// interrupted one must end within half that time of its signal (an import
// that ignored the signal would run on for most of it), with the store
// holding either none of the file or all of it.
func TestTopoImportStopsOnSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 30,720 subnets four times: not in the -short set")
	}
	const pods, torsPerPod = 64, 120
	file := writeFile(t, t.TempDir(), "big.yaml", bigTopology(pods, torsPerPod))
	start := time.Now()
	mustRun(t, "sqlite://"+filepath.Join(t.TempDir(), "full.db"), "topo", "import", file)
	full := time.Since(start)
	t.Logf("uninterrupted import: %v", full)
	for _, frac := range []int{10, 40, 70} {
		delay := full * time.Duration(frac) / 100
		t.Run(fmt.Sprintf("at-%d-percent", frac), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "netipam.db")
			c := exec.Command(binary, "topo", "import", file)
			c.Env = append(os.Environ(), "NETIPAM_STORE=sqlite://"+path)
			var errb bytes.Buffer
			c.Stderr = &errb
			if err := c.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- c.Wait() }()
			time.Sleep(delay)
			signalled := time.Now()
			if err := c.Process.Signal(syscall.SIGTERM); err != nil {
				t.Logf("signal: %v (the import had already ended)", err)
			}
			select {
			case err := <-done:
				t.Logf("exit %v, %v after the signal; stderr: %s", err, time.Since(signalled), errb.String())
			case <-time.After(full / 2):
				c.Process.Kill()
				<-done
				t.Fatalf("topo import still ran %v after SIGTERM (an uninterrupted import takes %v)", full/2, full)
			}
			if n := storedSubnets(t, path); n != 0 && n != pods*torsPerPod*4 {
				t.Fatalf("the store holds %d subnets: want none or all %d", n, pods*torsPerPod*4)
			}
		})
	}
}

// storedSubnets counts the subnets of a store; a missing store or schema
// holds none.
func storedSubnets(t *testing.T, path string) int {
	t.Helper()
	if _, err := os.Stat(path); os.IsNotExist(err) {
		return 0
	}
	// Opened for writing: SQLite may need to recover the write-ahead log
	// of a process that stopped mid-transaction.
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ok string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity check: %q %v", ok, err)
	}
	var tables int
	if err := db.QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE name = 'subnets'`).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables == 0 {
		return 0
	}
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM subnets`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
