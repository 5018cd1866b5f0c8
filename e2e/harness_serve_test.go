package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/netipam/netipam/server"
)

// served is a running `netipam serve` process.
type served struct {
	cmd    *exec.Cmd
	sock   string // unix socket path
	client *server.Client
	stderr *syncBuffer
	done   chan struct{}
	code   int
}

// syncBuffer is a buffer the process writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServe starts the real binary serving storeURL on a unix socket in
// a temporary directory (plus extra flags), and waits until it is ready.
// Cleanup stops it.
func startServe(t testing.TB, storeURL string, extra ...string) *served {
	t.Helper()
	return startServeAt(t, filepath.Join(t.TempDir(), "netipam.sock"), storeURL, extra...)
}

// startServeAt is startServe on a given socket path.
func startServeAt(t testing.TB, sock, storeURL string, extra ...string) *served {
	t.Helper()
	return startServeFiles(t, sock, storeURL, 0, extra...)
}

// launchServe starts netipam serve (see startServeFiles) and returns at
// once; cleanup stops it.
func launchServe(t testing.TB, sock, storeURL string, files int, extra ...string) *served {
	t.Helper()
	s := &served{sock: sock, stderr: &syncBuffer{}, done: make(chan struct{})}
	args := append([]string{"serve", "--listen", "unix://" + sock}, extra...)
	s.cmd = exec.Command(binary, args...)
	if files > 0 {
		// The shell sets both limits, then becomes netipam (same pid).
		s.cmd = exec.Command("/bin/sh", append([]string{"-c", fmt.Sprintf(`ulimit -n %d && exec "$0" "$@"`, files), binary}, args...)...)
	}
	s.cmd.Env = append(os.Environ(), "NETIPAM_STORE="+storeURL)
	s.cmd.Stderr = s.stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start netipam serve: %v", err)
	}
	go func() {
		s.cmd.Wait()
		s.code = s.cmd.ProcessState.ExitCode()
		close(s.done)
	}()
	t.Cleanup(func() { s.stop(t) })
	c, err := server.NewClient("unix://"+sock, "")
	if err != nil {
		t.Fatal(err)
	}
	s.client = c
	return s
}

// startServeFiles is startServeAt in a process that may open at most
// files descriptors (soft and hard limit; 0: the test's own limits).
func startServeFiles(t testing.TB, sock, storeURL string, files int, extra ...string) *served {
	t.Helper()
	s := launchServe(t, sock, storeURL, files, extra...)
	deadline := time.Now().Add(15 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := s.client.Ready(ctx)
		cancel()
		if err == nil {
			return s
		}
		select {
		case <-s.done:
			t.Fatalf("netipam serve exited %d before ready:\n%s", s.code, s.stderr)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("netipam serve not ready after 15s: %v\n%s", err, s.stderr)
		}
	}
}

// stop sends SIGTERM and waits (bounded) for the exit; it returns the exit
// code.
func (s *served) stop(t testing.TB) int {
	t.Helper()
	select {
	case <-s.done:
		return s.code
	default:
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(40 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
		t.Errorf("netipam serve still running 40s after SIGTERM:\n%s", s.stderr)
	}
	return s.code
}

// freePort gives a loopback TCP address nobody listens on now.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
