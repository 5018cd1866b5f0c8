package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"modernc.org/sqlite" // the "sqlite" database/sql driver, pure Go
	sqlite3 "modernc.org/sqlite/lib"
)

// sqliteDB is the embedded backend: one SQLite file in WAL mode, one writer
// connection and a separate pool of read-only readers.
type sqliteDB struct {
	path string
	// writer is nil when the file was opened read-only.
	writer *sql.DB
	reader *sql.DB
	// readDSN opens a read-only connection: the reader pool's on a
	// read-only open, and the one `netipam sql` runs on.
	readDSN string
	// prepared keeps the writer's statements marked Reuse (see prepare);
	// readPrepared the reader's.
	mu           sync.Mutex
	prepared     map[string]*sql.Stmt
	readPrepared map[string]*sql.Stmt
	// ident is the file's identity when opened (identity.go).
	ident *fileIdentity
}

// maxPrepared bounds the statements the writer keeps prepared: the hot
// path's few shapes fit many times over.
const maxPrepared = 64

var _ Backend = (*sqliteDB)(nil)

// pragmas go in the DSN so that every connection of the pool gets them.
// synchronous(full): an allocation acknowledged to a caller survives a power
// cut, not only a crash. busy_timeout lets many processes share the file;
// _txlock=immediate takes the write lock at BEGIN, so two writers never
// deadlock upgrading a read lock. journal_size_limit(0): the -wal file that
// read-write opens keep (see persistWAL) is cut to zero bytes once
// checkpointed, so the next process has no old frames to recover.
// temp_store(memory): the statement journal that a multi-row INSERT with
// triggers keeps (to undo a refused statement inside its transaction) is
// kept in memory instead of a temporary file; on disk it cost a write
// system call per page the statement touched (8% of a group commit's CPU
// profile). It holds nothing that must survive a crash.
const sqlitePragmas = "_pragma=journal_mode(wal)&_pragma=foreign_keys(1)&_pragma=synchronous(full)&_pragma=journal_size_limit(0)&_pragma=temp_store(memory)"

// readerPragmas are the reader's: the file is in WAL mode already (the
// writer connects first, and the mode is kept in the file), and a
// query-only connection checks no foreign key. Each pragma is a statement
// run at every connection's open, which a one-shot CNI call pays.
const readerPragmas = "_pragma=synchronous(full)&_pragma=journal_size_limit(0)&_pragma=temp_store(memory)"

// The writer waits for the write lock in Exec, polling every few hundred
// microseconds with jitter: SQLite's own busy handler backs off to 100 ms
// sleeps, which is what made the tail latency of 8 concurrent CNI calls.
// Its short busy_timeout only covers the lock steps outside Exec.
const (
	writerBusy  = "&_pragma=busy_timeout(5)"
	readerBusy  = "&_pragma=busy_timeout(10000)"
	lockTimeout = 10 * time.Second
)

// openSQLite opens the file as mode allows. Only ModeCreate may create the
// file or its directory: the other modes tell SQLite so (mode=rw, mode=ro
// in the file: URI), so that a store whose file or directory was removed,
// or a mistyped path, is never replaced by an empty store.
func openSQLite(path string, mode Mode) (*sqliteDB, error) {
	if mode == ModeCreate {
		if dir := filepath.Dir(path); dir != "" {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("create directory for %s: %w", path, err)
			}
		}
	} else if err := checkExists(path); err != nil {
		return nil, err
	}
	if mode == ModeReadOnly {
		return openSQLiteReadOnly(path)
	}
	if err := checkWritable(path); err != nil {
		return nil, err
	}
	u := fileURI(path)
	open := "rwc"
	if mode == ModeExisting {
		open = "rw"
	}
	writer, err := openPersistWAL(u + "?mode=" + open + "&" + sqlitePragmas + writerBusy + "&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	writer.SetMaxOpenConns(1)
	reader, err := openPersistWAL(u + "?mode=rw&" + readerPragmas + readerBusy + "&_pragma=query_only(1)")
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	reader.SetMaxOpenConns(4)
	// As many idle as open: with more concurrent readers than idle slots
	// (a daemon's 64 clients), database/sql closed a connection after each
	// query and opened another for the next, 12% of the daemon's CPU.
	reader.SetMaxIdleConns(4)
	db := &sqliteDB{path: path, writer: writer, reader: reader, readDSN: readOnlyDSN(path, false)}
	// Opening may meet another process recovering the WAL (busy): wait.
	if err := retryBusy(context.Background(), func() error { return translate(writer.Ping()) }); err != nil {
		db.Close()
		return nil, openError(path, err)
	}
	db.ident = newFileIdentity(path) // the file exists once the writer has connected
	return db, nil
}

// openError says what failed opening the file; a file that vanished
// between the check and the open is ErrNoStore.
func openError(path string, err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_CANTOPEN {
		if _, serr := os.Stat(path); errors.Is(serr, fs.ErrNotExist) {
			return noStoreError("sqlite://"+path, "does not exist")
		}
	}
	return fmt.Errorf("open %s: %w", path, err)
}

// checkExists fails with ErrNoStore when the file is missing or empty
// (opening an empty file in WAL mode would write its header).
func checkExists(path string) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return noStoreError("sqlite://"+path, "does not exist")
	case err != nil:
		return fmt.Errorf("open %s: %w", path, err)
	case fi.Size() == 0:
		return noStoreError("sqlite://"+path, "has no netipam schema (an empty file)")
	}
	return nil
}

func fileURI(path string) string {
	return (&url.URL{Scheme: "file", OmitHost: true, Path: path}).String()
}

func (db *sqliteDB) Exec(ctx context.Context, stmts ...Stmt) ([]int64, error) {
	if db.writer == nil {
		return nil, fmt.Errorf("%w: %s was opened read-only", ErrReadOnly, db.path)
	}
	if err := db.ident.lost(); err != nil {
		return nil, err
	}
	var n []int64
	err := retryBusy(ctx, func() error {
		var err error
		n, err = db.execOnce(ctx, stmts)
		return err
	})
	if errors.Is(err, ErrNoSpace) {
		return nil, fmt.Errorf("%s: %w: free space on that device and retry", db.path, err)
	}
	if err == nil {
		// Committed, but to the store's file? Not acknowledged otherwise.
		if ierr := db.ident.check(); ierr != nil {
			return nil, ierr
		}
	}
	return n, err
}

// retryBusy runs fn until it is not refused for a lock another process
// holds (ErrUnavailable), for at most lockTimeout, sleeping 0.1 to 0.5 ms
// between tries.
func retryBusy(ctx context.Context, fn func() error) error {
	deadline := time.Now().Add(lockTimeout)
	for {
		err := fn()
		if !errors.Is(err, ErrUnavailable) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w: %w", ErrUnavailable, ctx.Err())
		case <-time.After(time.Duration(100+rand.IntN(400)) * time.Microsecond):
		}
	}
}

// execOnce runs the batch as one IMMEDIATE transaction (the write lock is
// taken at BEGIN, so a busy answer means nothing was done).
func (db *sqliteDB) execOnce(ctx context.Context, stmts []Stmt) ([]int64, error) {
	// Prepared before BEGIN: the writer has one connection, which the
	// transaction then holds.
	ps := make([]*sql.Stmt, len(stmts))
	for i, st := range stmts {
		if st.Reuse {
			ps[i] = db.prepare(ctx, st.SQL)
		}
	}
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return nil, translate(err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	n := make([]int64, len(stmts))
	for i, st := range stmts {
		var res sql.Result
		if ps[i] != nil {
			res, err = tx.StmtContext(ctx, ps[i]).ExecContext(ctx, st.Args...)
		} else {
			res, err = tx.ExecContext(ctx, st.SQL, st.Args...)
		}
		if err != nil {
			return nil, translate(err)
		}
		if n[i], err = res.RowsAffected(); err != nil {
			return nil, translate(err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, translate(err)
	}
	return n, nil
}

// prepare gives the writer's prepared statement for text, preparing it on
// first use; nil (run it unprepared) when the cache is full or preparing
// fails (the statement's own run then reports why). Parsing a multi-row
// INSERT with its triggers costs about as much as running it.
func (db *sqliteDB) prepare(ctx context.Context, text string) *sql.Stmt {
	return db.prepareOn(ctx, db.writer, &db.prepared, text)
}

// prepareOn is prepare for the pool conn with the cache in cache. The
// lock is not held while preparing, which waits for one of the pool's
// connections: a caller holding one may be asking for the lock.
func (db *sqliteDB) prepareOn(ctx context.Context, conn *sql.DB, cache *map[string]*sql.Stmt, text string) *sql.Stmt {
	db.mu.Lock()
	ps, ok := (*cache)[text]
	full := len(*cache) >= maxPrepared
	db.mu.Unlock()
	if ok {
		return ps
	}
	if full {
		return nil
	}
	ps, err := conn.PrepareContext(ctx, text)
	if err != nil {
		return nil
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	if have, ok := (*cache)[text]; ok { // prepared meanwhile by another caller
		ps.Close()
		return have
	}
	if *cache == nil {
		*cache = map[string]*sql.Stmt{}
	}
	(*cache)[text] = ps
	return ps
}

// Query runs a read on the reader pool; a statement marked Reuse (a read
// of every request, such as what an attachment holds) stays prepared on
// each reader connection: parsing it cost more than running it.
func (db *sqliteDB) Query(ctx context.Context, st Stmt) (Rows, error) {
	var ps *sql.Stmt
	if st.Reuse {
		ps = db.prepareOn(ctx, db.reader, &db.readPrepared, st.SQL)
	}
	var rows *sql.Rows
	var err error
	if ps != nil {
		rows, err = ps.QueryContext(ctx, st.Args...)
	} else {
		rows, err = db.reader.QueryContext(ctx, st.SQL, st.Args...)
	}
	if err != nil {
		return nil, translate(err)
	}
	return sqliteRows{rows}, nil
}

func (db *sqliteDB) Close() error {
	db.mu.Lock()
	for _, ps := range db.readPrepared {
		ps.Close()
	}
	db.readPrepared = nil
	db.mu.Unlock()
	rerr := db.reader.Close()
	if db.writer == nil {
		return rerr
	}
	db.mu.Lock()
	for _, ps := range db.prepared {
		ps.Close()
	}
	db.prepared = nil
	db.mu.Unlock()
	if err := db.writer.Close(); err != nil {
		return err
	}
	return rerr
}

type sqliteRows struct{ *sql.Rows }

func (r sqliteRows) Scan(dest ...any) error { return translate(r.Rows.Scan(dest...)) }
func (r sqliteRows) Err() error             { return translate(r.Rows.Err()) }

// checkWritable fails fast, with a clear message, when this process may not
// write the file or its directory (WAL mode creates files beside it);
// SQLite would otherwise spin on its busy timeout before saying so.
func checkWritable(path string) error {
	for _, p := range []string{path, filepath.Dir(path)} {
		if _, err := os.Stat(p); err != nil {
			continue // created on first use (ModeCreate)
		}
		if err := unix.Access(p, unix.W_OK); err != nil {
			return fmt.Errorf("open %s: %w: %s is not writable by uid %d: run as its owner or fix its permissions",
				path, ErrReadOnly, p, os.Geteuid())
		}
	}
	return nil
}
