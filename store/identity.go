package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
)

// A long-lived process (netipam serve) keeps its SQLite file open for
// days. If the file is deleted or replaced meanwhile (an operator removes
// it and imports a topology again), its open connections go on reading and
// writing the deleted inode: every allocation it acknowledges then is lost
// to every other process, which opens the file by its path. So the
// process checks the file's identity, its device and inode, against the
// one it opened: after every committed write (a write to a file that is no
// longer the store's is not acknowledged) and whenever its owner asks
// (the server, at every tick of its change feed). Once the identity has
// changed, every later write is refused before it runs; the process must
// be restarted to open the file that is there now. A one-shot process
// opens by path each time and pays one stat per write for the check.

// fileIdentity is the identity of an open SQLite file.
type fileIdentity struct {
	path string
	fi   os.FileInfo // nil: unknown (the check is skipped)
	mu   sync.Mutex
	gone error // sticky once set
}

func newFileIdentity(path string) *fileIdentity {
	id := &fileIdentity{path: path}
	if fi, err := os.Stat(path); err == nil {
		id.fi = fi
	}
	return id
}

// check compares the file now at the path with the one opened.
func (id *fileIdentity) check() error {
	if id == nil || id.fi == nil {
		return nil
	}
	if err := id.lost(); err != nil {
		return err
	}
	fi, err := os.Stat(id.path)
	var why string
	switch {
	case errors.Is(err, fs.ErrNotExist):
		why = "was deleted"
	case err != nil:
		return nil // cannot tell (permissions changed?): the writes themselves will say
	case !os.SameFile(fi, id.fi):
		why = "was replaced by another file (its device and inode changed)"
	default:
		return nil
	}
	id.mu.Lock()
	defer id.mu.Unlock()
	if id.gone == nil {
		id.gone = fmt.Errorf("%w: store sqlite://%s %s after this process opened it: "+
			"what it writes now reaches no other process: restart it to open the file at %s", ErrUnavailable, id.path, why, id.path)
	}
	return id.gone
}

// lost gives the error of a check that found the file changed, or nil.
func (id *fileIdentity) lost() error {
	if id == nil {
		return nil
	}
	id.mu.Lock()
	defer id.mu.Unlock()
	return id.gone
}

// identified is a backend whose file can be replaced under it.
type identified interface{ identity() *fileIdentity }

func (db *sqliteDB) identity() *fileIdentity { return db.ident }

// CheckIdentity reports, as an error wrapping ErrUnavailable and naming
// the path, that the store's file was deleted or replaced since it was
// opened (nil for a file still in place, and for an rqlite cluster). Once
// it has failed it always fails.
func (s *Store) CheckIdentity() error {
	if b, ok := s.db.(identified); ok {
		return b.identity().check()
	}
	return nil
}

// Lost is CheckIdentity's last finding, without looking at the file again.
func (s *Store) Lost() error {
	if b, ok := s.db.(identified); ok {
		return b.identity().lost()
	}
	return nil
}
