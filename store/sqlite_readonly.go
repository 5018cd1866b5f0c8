package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
	"modernc.org/sqlite"
)

// A read-only open uses only readers opened with mode=ro: SQLite itself
// refuses every write, whatever the statement, and creates no file.
//
// WAL mode needs the -shm index beside the file. A reader that may not
// create it can still read when it exists (SQLite 3.22+ reads a read-only
// -shm), which is why read-write opens keep the -wal and -shm files when
// they close (persistWAL) instead of deleting them. When the -shm is
// missing all the same (a store last closed by an older netipam), the file
// is opened immutable=1 only where nobody can write it: on a read-only
// mount. Elsewhere that would let a writer change the file under a reader
// that takes no locks, so netipam says what to do instead.

// readOnlyDSN opens the file read-only, never creating it.
func readOnlyDSN(path string, immutable bool) string {
	dsn := fileURI(path) + "?mode=ro&_pragma=busy_timeout(10000)&_pragma=query_only(1)"
	if immutable {
		dsn += "&immutable=1"
	}
	return dsn
}

func openSQLiteReadOnly(path string) (*sqliteDB, error) {
	reader, err := openReader(path, false)
	if err == nil {
		return &sqliteDB{path: path, reader: reader, readDSN: readOnlyDSN(path, false)}, nil
	}
	if !errors.Is(err, ErrReadOnly) || exists(path+"-shm") {
		return nil, openError(path, err)
	}
	if !readOnlyMount(path) {
		dir := filepath.Dir(path)
		return nil, fmt.Errorf("open %s read-only: %w: its %s-shm index is missing and uid %d may not create it in %s: "+
			"run any netipam command that writes (e.g. `netipam init --store sqlite://%s`) once as the store's owner, "+
			"which leaves the index in place, or let this user write %s",
			path, ErrReadOnly, filepath.Base(path), os.Geteuid(), dir, path, dir)
	}
	reader, err = openReader(path, true)
	if err != nil {
		return nil, openError(path, err)
	}
	return &sqliteDB{path: path, reader: reader, readDSN: readOnlyDSN(path, true)}, nil
}

// openReader opens a pool of read-only connections and reads the schema
// once, which is where SQLite opens the WAL index.
func openReader(path string, immutable bool) (*sql.DB, error) {
	reader, err := sql.Open("sqlite", readOnlyDSN(path, immutable))
	if err != nil {
		return nil, err
	}
	reader.SetMaxOpenConns(4)
	err = retryBusy(context.Background(), func() error {
		var n int64
		return translate(reader.QueryRow(`SELECT COUNT(*) FROM sqlite_master`).Scan(&n))
	})
	if err != nil {
		reader.Close()
		return nil, err
	}
	return reader, nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return !errors.Is(err, fs.ErrNotExist)
}

// readOnlyMount reports whether the file is on a file system mounted
// read-only: nobody can write it.
func readOnlyMount(path string) bool {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return false
	}
	return st.Flags&unix.ST_RDONLY != 0
}

// openPersistWAL opens a pool whose connections keep the -wal and -shm
// files when they close, so that readers who may not create them can read
// the store (see above).
func openPersistWAL(dsn string) (*sql.DB, error) {
	c, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(persistWAL{c}), nil
}

type persistWAL struct{ driver.Connector }

type walPersister interface {
	FileControlPersistWAL(dbName string, mode int) (int, error)
}

func (c persistWAL) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	p, ok := conn.(walPersister)
	if !ok {
		conn.Close()
		return nil, fmt.Errorf("sqlite driver connection %T cannot keep its WAL", conn)
	}
	if _, err := p.FileControlPersistWAL("main", 1); err != nil {
		conn.Close()
		return nil, fmt.Errorf("keep WAL: %w", err)
	}
	return conn, nil
}
