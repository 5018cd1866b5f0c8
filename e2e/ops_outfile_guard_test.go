package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// guardTarget is one file netipam must not write: how to make it, and how
// to tell it is unchanged.
type guardTarget struct {
	name string
	path string
	// state describes the target as Lstat (and, for a link, Readlink and
	// the file it names) sees it.
	state func() string
}

// fileState describes path without following a link.
func fileState(t *testing.T, path string) string {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		return "missing: " + err.Error()
	}
	s := fmt.Sprintf("%s %s size=%d mtime=%d", fi.Name(), fi.Mode(), fi.Size(), fi.ModTime().UnixNano())
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		s += fmt.Sprintf(" dev=%d ino=%d", st.Dev, st.Ino)
	}
	if fi.Mode()&os.ModeSymlink != 0 {
		to, _ := os.Readlink(path)
		s += " -> " + to
		if b, err := os.ReadFile(path); err == nil {
			s += " content=" + string(b)
		}
	}
	if fi.Mode().IsRegular() && fi.Size() < 1<<20 {
		b, _ := os.ReadFile(path)
		s += fmt.Sprintf(" content=%q", b)
	}
	return s
}

// guardTargets makes, beside a store at storePath, every kind of target
// netipam must refuse: the store through other paths, its -wal, -shm and
// -journal, /dev/null, a fifo, a directory, a dangling symlink and a
// symlink to a regular file.
func guardTargets(t *testing.T, storePath string) []guardTarget {
	t.Helper()
	dir := filepath.Dir(storePath)
	other := t.TempDir()
	linkedDir := filepath.Join(other, "linked")
	if err := os.Symlink(dir, linkedDir); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(other, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	subdir := filepath.Join(other, "dir")
	if err := os.Mkdir(subdir, 0o755); err != nil {
		t.Fatal(err)
	}
	dangling := filepath.Join(other, "dangling")
	if err := os.Symlink(filepath.Join(other, "nowhere"), dangling); err != nil {
		t.Fatal(err)
	}
	regular := writeFile(t, other, "regular", "keep me")
	toRegular := filepath.Join(other, "to-regular")
	if err := os.Symlink(regular, toRegular); err != nil {
		t.Fatal(err)
	}
	paths := []struct{ name, path string }{
		{"the store through dir/..", filepath.Join(dir, "..", filepath.Base(dir), filepath.Base(storePath))},
		{"the store through a symlinked directory", filepath.Join(linkedDir, filepath.Base(storePath))},
		{"the store's -wal", storePath + "-wal"},
		{"the store's -shm through a symlinked directory", filepath.Join(linkedDir, filepath.Base(storePath)+"-shm")},
		{"the store's -journal (absent)", storePath + "-journal"},
		{"/dev/null", "/dev/null"},
		{"a fifo", fifo},
		{"a directory", subdir},
		{"a dangling symlink", dangling},
		{"a symlink to a regular file", toRegular},
	}
	var out []guardTarget
	for _, p := range paths {
		out = append(out, guardTarget{name: p.name, path: p.path, state: func() string {
			s := fileState(t, p.path)
			if p.path == toRegular {
				s += " | " + fileState(t, regular)
			}
			return s
		}})
	}
	return out
}

// TestBackupTargetGuard: while a server runs and allocates, `backup` to
// the store itself (through any path), its -wal, -shm or -journal,
// /dev/null, a fifo, a directory or a symlink exits 2 naming the path,
// with or without --force, and leaves the target and the store as they
// were; the server's later allocations are all kept.
func TestBackupTargetGuard(t *testing.T) {
	t.Parallel()
	url, path := seeded(t)
	s := startServe(t, url)
	srv := "unix://" + s.sock
	mustRun(t, url, "--server", srv, "alloc", "--node", "node-01", "--container", "before", "--family", "4")
	for _, tg := range guardTargets(t, path) {
		if tg.path == "/dev/null" {
			if _, err := os.Stat("/dev/null"); err != nil {
				t.Skip("no /dev/null")
			}
		}
		for _, force := range []bool{false, true} {
			args := []string{"backup", tg.path}
			if force {
				args = append(args, "--force")
			}
			state := tg.state()
			r := run(t, url, args...)
			if r.code != 2 || !strings.Contains(r.stderr, tg.path) {
				t.Errorf("backup to %s (%s, force %v): exit %d %q, want 2 naming the path", tg.path, tg.name, force, r.code, r.stderr)
			}
			if tg.name != "the store's -wal" && tg.name != "the store's -shm through a symlinked directory" &&
				!strings.HasPrefix(tg.name, "the store through") && tg.state() != state {
				t.Errorf("backup to %s (%s, force %v) changed it:\n%s\n%s", tg.path, tg.name, force, state, tg.state())
			}
		}
	}
	if fi, err := os.Lstat("/dev/null"); err == nil && fi.Mode()&os.ModeCharDevice == 0 {
		t.Fatalf("/dev/null is now %s", fi.Mode())
	}
	for i := 1; i <= 3; i++ {
		mustRun(t, url, "--server", srv, "alloc", "--node", "node-01", "--container", fmt.Sprintf("after-%d", i), "--family", "4")
	}
	if s.stop(t) != 0 {
		t.Fatal("the server failed")
	}
	if r := run(t, url, "check"); r.code != 0 {
		t.Fatalf("check after the refused backups: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if got := mustRun(t, url, "sql", "SELECT COUNT(*) FROM allocations WHERE container LIKE 'after-%' OR container = 'before'"); !strings.Contains(got, "4") {
		t.Fatalf("allocations kept:\n%s", got)
	}
	// The control: a regular file is replaced with --force, only then.
	regular := writeFile(t, t.TempDir(), "old.db", "old")
	if r := run(t, url, "backup", regular); r.code != 2 || !strings.Contains(r.stderr, "--force") {
		t.Fatalf("backup over a regular file without --force: exit %d %s", r.code, r.stderr)
	}
	mustRun(t, url, "backup", regular, "--force")
	if r := run(t, "sqlite://"+regular, "check"); r.code != 0 {
		t.Fatalf("check of the backup: exit %d %s", r.code, r.stderr)
	}
}

// TestEventsArchiveTargetGuard: `events archive --to` refuses the same
// targets, exit 2 naming the path, and deletes no event.
func TestEventsArchiveTargetGuard(t *testing.T) {
	t.Parallel()
	url, path := seeded(t) // the seed's events are years old
	mustRun(t, url, "alloc", "--node", "node-01", "--container", "now", "--family", "4")
	before := time.Now().Add(-31 * 24 * time.Hour).UTC().Format(time.RFC3339)
	for _, tg := range guardTargets(t, path) {
		state, store := tg.state(), dump(t, path)
		r := run(t, url, "events", "archive", "--before", before, "--to", tg.path)
		if r.code != 2 || !strings.Contains(r.stderr, tg.path) {
			t.Errorf("archive to %s (%s): exit %d %q, want 2 naming the path", tg.path, tg.name, r.code, r.stderr)
		}
		if dump(t, path) != store {
			t.Fatalf("archive to %s (%s) changed the store", tg.path, tg.name)
		}
		if !strings.HasPrefix(tg.name, "the store") && tg.state() != state {
			t.Errorf("archive to %s (%s) changed it:\n%s\n%s", tg.path, tg.name, state, tg.state())
		}
	}
}

// TestMigrateConfigTargetGuard: migrate host-local-config's outputs go
// through the same guard: --force never replaces the store (named
// nodes.yaml in --out-dir) or writes through a symlink.
func TestMigrateConfigTargetGuard(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	conf := writeFile(t, t.TempDir(), "node-02.conf", node02Conf)
	storePath := filepath.Join(dir, "nodes.yaml")
	storeURL := "sqlite://" + storePath
	mustSeed(t, storeURL, "topo", "import", repoPath("testdata/topology.yaml"))
	before := dump(t, storePath)
	r := run(t, storeURL, "migrate", "host-local-config", "node-02="+conf, "--out-dir", dir, "--force")
	if r.code != 2 || !strings.Contains(r.stderr, storePath) {
		t.Fatalf("outputs over the store: exit %d %q, want 2 naming it", r.code, r.stderr)
	}
	if dump(t, storePath) != before {
		t.Fatal("the store changed")
	}
	if _, err := os.Stat(filepath.Join(dir, "topology.yaml")); err == nil {
		t.Fatal("a refused run wrote topology.yaml: all or nothing")
	}

	out := t.TempDir()
	kept := writeFile(t, t.TempDir(), "kept.yaml", "keep me")
	if err := os.Symlink(kept, filepath.Join(out, "topology.yaml")); err != nil {
		t.Fatal(err)
	}
	r = run(t, storeURL, "migrate", "host-local-config", "node-02="+conf, "--out-dir", out, "--force")
	if r.code != 2 || !strings.Contains(r.stderr, "symbolic link") {
		t.Fatalf("outputs over a symlink: exit %d %q, want 2", r.code, r.stderr)
	}
	if b, _ := os.ReadFile(kept); string(b) != "keep me" {
		t.Fatalf("written through the link: %q", b)
	}
}
