package store

import (
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"modernc.org/sqlite"
)

// TestTranslateSQLiteByCode provokes each kind of SQLite failure on a real
// file and checks that translate classifies it from the driver's result
// code (the error really is a *sqlite.Error) into the store's kind.
func TestTranslateSQLiteByCode(t *testing.T) {
	dir := t.TempDir()
	open := func(t *testing.T, name, query string) *sql.DB {
		t.Helper()
		db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, name)+query)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	rw := open(t, "rw.db", "")
	if _, err := rw.Exec(`CREATE TABLE allocations (address TEXT UNIQUE);
		INSERT INTO allocations VALUES ('10.0.0.1')`); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "garbage.db"), []byte(strings.Repeat("not a SQLite header ", 410)), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		run  func() error
		want error
	}{
		{"unique", func() error {
			_, err := rw.Exec(`INSERT INTO allocations VALUES ('10.0.0.1')`)
			return err
		}, ErrConflict},
		{"readonly", func() error {
			ro := open(t, "rw.db", "?mode=ro")
			_, err := ro.Exec(`INSERT INTO allocations VALUES ('10.0.0.2')`)
			return err
		}, ErrReadOnly},
		{"busy", func() error {
			hold := open(t, "rw.db", "")
			tx, err := hold.Begin()
			if err != nil {
				return err
			}
			defer tx.Rollback()
			if _, err := tx.Exec(`INSERT INTO allocations VALUES ('10.0.0.3')`); err != nil {
				return err
			}
			other := open(t, "rw.db", "?_pragma=busy_timeout(0)")
			_, err = other.Exec(`INSERT INTO allocations VALUES ('10.0.0.4')`)
			return err
		}, ErrUnavailable},
		{"not a database", func() error {
			_, err := open(t, "garbage.db", "").Exec(`SELECT * FROM sqlite_master`)
			return err
		}, ErrCorrupt},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.run()
			var se *sqlite.Error
			if !errors.As(err, &se) {
				t.Fatalf("want a *sqlite.Error from the driver, got %T %v", err, err)
			}
			if _, ok := sqliteKind(se.Code(), err); !ok {
				t.Fatalf("code %d (%v) not classified by code", se.Code(), err)
			}
			if got := translate(err); !errors.Is(got, c.want) {
				t.Fatalf("translate(%v) = %v, want %v", err, got, c.want)
			}
		})
	}
	var ce *ConflictError
	_, err := rw.Exec(`INSERT INTO allocations VALUES ('10.0.0.1')`)
	if !errors.As(translate(err), &ce) || !ce.OnAddress() || ce.Constraint != "UNIQUE constraint failed: allocations.address" {
		t.Fatalf("duplicate address: got %#v", ce)
	}
}

// TestTranslateRqliteMessages: rqlite's errors are text over HTTP, so they
// are classified by message.
func TestTranslateRqliteMessages(t *testing.T) {
	cases := []struct {
		msg  string
		want error
	}{
		{"UNIQUE constraint failed: allocations.address", ErrConflict},
		{"not leader", ErrUnavailable},
		{"tried all peers unsuccessfully", ErrUnavailable},
		{"attempt to change database via query operation", ErrReadOnly},
		{"database or disk is full", ErrNoSpace},
		{"file is not a database", ErrCorrupt},
	}
	for _, c := range cases {
		if got := translate(errors.New(c.msg)); !errors.Is(got, c.want) {
			t.Errorf("translate(%q) = %v, want %v", c.msg, got, c.want)
		}
	}
	if err := errors.New("some other failure"); translate(err) != err {
		t.Errorf("an unknown error must pass through unchanged")
	}
}
