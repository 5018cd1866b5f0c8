package outfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/netipam/netipam/topo"
)

// StoreSuffixes are the files SQLite keeps beside a database: its path and
// each of these are the store.
var StoreSuffixes = []string{"", "-wal", "-shm", "-journal"}

// Guard says what a target may be.
type Guard struct {
	// Force lets an existing regular file be replaced.
	Force bool
	// Exists is what to do about an existing file without Force, for the
	// message, e.g. "pass --force to replace it".
	Exists string
	// Protect are files never written, whatever Force says: the store's
	// database files (see StoreSuffixes).
	Protect []string
	// Perm is the new file's mode (0600 when zero).
	Perm fs.FileMode
}

// Check refuses a target the guard does not allow, naming it.
func (g Guard) Check(path string) error {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if g.isProtected(path, nil) {
			return refuse(path, "is one of the store's own files (its database, -wal, -shm or -journal): name a file elsewhere")
		}
		return nil
	case err != nil:
		return topo.Errorf(topo.ErrInvalid, "write %s: %w", path, err)
	case fi.Mode()&fs.ModeSymlink != 0:
		return refuse(path, "is a symbolic link: netipam writes only regular files, never through a link; name the file itself")
	case fi.IsDir():
		return refuse(path, "is a directory: name a file")
	case !fi.Mode().IsRegular():
		return refuse(path, fmt.Sprintf("is not a regular file (%s): netipam writes only regular files; name another", kind(fi.Mode())))
	case g.isProtected(path, fi):
		return refuse(path, "is one of the store's own files (its database, -wal, -shm or -journal): name a file elsewhere")
	case !g.Force:
		hint := g.Exists
		if hint == "" {
			hint = "name a new file"
		}
		return refuse(path, "exists: "+hint)
	}
	return nil
}

func refuse(path, why string) error {
	return topo.Errorf(topo.ErrInvalid, "%s %s", path, why)
}

func kind(m fs.FileMode) string {
	switch {
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "type " + m.Type().String()
}

// isProtected says whether path (fi: its Lstat, nil when it does not
// exist) names a protected file: the same directory (by device and inode)
// and name, or the same file.
func (g Guard) isProtected(path string, fi fs.FileInfo) bool {
	if len(g.Protect) == 0 {
		return false
	}
	dir, dirErr := os.Stat(filepath.Dir(path))
	base := filepath.Base(path)
	for _, p := range g.Protect {
		if fi != nil {
			if pfi, err := os.Stat(p); err == nil && os.SameFile(fi, pfi) {
				return true
			}
		}
		if dirErr != nil || filepath.Base(p) != base {
			continue
		}
		if pdir, err := os.Stat(filepath.Dir(p)); err == nil && os.SameFile(dir, pdir) {
			return true
		}
	}
	return false
}

// File is a target being written: a temporary file beside it until Commit.
type File struct {
	*os.File
	path string
	g    Guard
	done bool
}

// Create checks path and opens a temporary file beside it (in the same
// directory, so that the rename is atomic). Write to it (or to its Name),
// then Commit, or Abort; Abort after Commit is a no-op, so defer it.
func (g Guard) Create(path string) (*File, error) {
	if err := g.Check(path); err != nil {
		return nil, err
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, topo.Errorf(topo.ErrInvalid, "write %s: create a temporary file in %s: %w: name a file in an existing directory you may write",
			path, dir, err)
	}
	if g.Perm != 0 {
		if err := f.Chmod(g.Perm); err != nil {
			f.Close()
			os.Remove(f.Name())
			return nil, fmt.Errorf("write %s: %w", path, err)
		}
	}
	return &File{File: f, path: path, g: g}, nil
}

// Commit syncs the temporary file, checks the target again and renames
// the file over it, then syncs the directory.
func (f *File) Commit() error {
	if f.done {
		return fmt.Errorf("write %s: already committed or aborted", f.path)
	}
	err := f.File.Sync()
	if cerr := f.File.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		f.Abort()
		return fmt.Errorf("write %s: %w", f.path, err)
	}
	// Again: the target may have changed while the file was written.
	if err := f.g.Check(f.path); err != nil {
		f.Abort()
		return err
	}
	if err := os.Rename(f.File.Name(), f.path); err != nil {
		f.Abort()
		return fmt.Errorf("write %s: %w", f.path, err)
	}
	f.done = true
	if err := syncDir(filepath.Dir(f.path)); err != nil {
		return fmt.Errorf("write %s: sync its directory: %w", f.path, err)
	}
	return nil
}

// Abort removes the temporary file; after Commit it does nothing.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.File.Close()
	os.Remove(f.File.Name())
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// WriteAll writes each file whole through g, after checking every target
// first: on a refused target, none is written.
func (g Guard) WriteAll(files map[string][]byte) error {
	for path := range files {
		if err := g.Check(path); err != nil {
			return err
		}
	}
	for path, data := range files {
		f, err := g.Create(path)
		if err != nil {
			return err
		}
		if _, err := f.Write(data); err != nil {
			f.Abort()
			return fmt.Errorf("write %s: %w", path, err)
		}
		if err := f.Commit(); err != nil {
			return err
		}
	}
	return nil
}
