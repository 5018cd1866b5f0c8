package server

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/netipam/netipam/store"
)

func closeTestStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), "sqlite://"+filepath.Join(t.TempDir(), "netipam.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestDaemonCloseWaitsForItsGoroutines: Load starts the feed follower,
// the expansion loop and the store watcher on a context that never ends;
// Close alone stops them, and every one has returned before Close hands
// back (while the store is still open, as its caller closes it after).
func TestDaemonCloseWaitsForItsGoroutines(t *testing.T) {
	st := closeTestStore(t)
	d := NewDaemon(st)
	if err := d.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := d.running.Load(); n != 3 {
		t.Fatalf("after Load: %d goroutines running, want 3 (follower, expansion loop, store watcher)", n)
	}
	atStop := int32(-1)
	var storeErr error
	d.stopped = func() {
		atStop = d.running.Load()
		_, storeErr = st.LastEventID(context.Background())
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if atStop != 0 {
		t.Errorf("Close went on with %d of the daemon's goroutines still running", atStop)
	}
	if storeErr != nil {
		t.Errorf("the store was not usable once the goroutines stopped: %v", storeErr)
	}
	if d.Ready() {
		t.Error("a closed daemon says it is ready")
	}
	if err := d.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := d.Load(context.Background()); err == nil {
		t.Error("Load after Close started again")
	}
}

// TestDaemonLoadOnce: a loaded daemon does not start a second set of
// goroutines.
func TestDaemonLoadOnce(t *testing.T) {
	d := NewDaemon(closeTestStore(t))
	defer d.Close()
	if err := d.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := d.Load(context.Background()); err == nil {
		t.Error("second Load: no error")
	}
	if n := d.running.Load(); n != 3 {
		t.Errorf("after two Loads: %d goroutines running, want 3", n)
	}
}

// TestRunClosesTheDaemon: when Run's context ends, Run returns only once
// the daemon it serves is closed and its goroutines have returned.
func TestRunClosesTheDaemon(t *testing.T) {
	st := closeTestStore(t)
	d := NewDaemon(st)
	sock := filepath.Join(t.TempDir(), "s.sock")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, d, nil, Options{Listen: []string{"unix://" + sock},
			Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !d.Ready() {
		if time.Now().After(deadline) {
			cancel()
			t.Fatal("the daemon was not ready within 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return within 30s of its context ending")
	}
	if n := d.running.Load(); n != 0 {
		t.Errorf("Run returned with %d of the daemon's goroutines running", n)
	}
	d.mu.Lock()
	closed := d.closed
	d.mu.Unlock()
	if !closed {
		t.Error("Run returned without closing the daemon")
	}
}
