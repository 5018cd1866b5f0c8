package topo

import (
	"errors"
	"fmt"
)

// Kinds of failure shared by every layer. The store translates engine errors
// into them once; the CLI maps them to exit codes and the CNI plugin to CNI
// error codes, each in one place.
var (
	// ErrNotFound: the thing asked for does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict: a constraint refused the change (a duplicate address or
	// owner, an overlapping subnet, a subnet still in use).
	ErrConflict = errors.New("conflict")
	// ErrExhausted: no free address is left where the request may take one.
	ErrExhausted = errors.New("no free address")
	// ErrUnavailable: the store cannot answer now (SQLite busy, no rqlite
	// leader); the same call may succeed later.
	ErrUnavailable = errors.New("store unavailable, try again later")
	// ErrInvalid: the request itself is wrong (bad flag, bad file, unknown
	// purpose for a TOR).
	ErrInvalid = errors.New("invalid request")
)

// Kinds of failure of the store itself; package store returns them (as
// store.ErrReadOnly and so on) and every layer maps them without
// importing the store.
var (
	// ErrReadOnly: the store refused a write (a read-only file, or a write
	// sent to `netipam sql`).
	ErrReadOnly = errors.New("read-only")
	// ErrCorrupt: the database file is not a netipam database or is damaged.
	ErrCorrupt = errors.New("database file is corrupt or not a database")
	// ErrNoStore: the store a URL names does not exist (no file, or no
	// netipam schema in it or in the rqlite cluster), and the caller may not
	// create one.
	ErrNoStore = errors.New("store does not exist")
	// ErrBadURL: a store URL that names no store (unknown scheme, empty
	// path, a bad rqlite host list): how netipam was called is wrong.
	ErrBadURL = errors.New("bad store URL")
	// ErrNoSpace: the store's device is full.
	ErrNoSpace = errors.New("no space left on the store's device")
	// ErrSchema: the store's schema is older than this binary and may not be
	// migrated here (a read-only open).
	ErrSchema = errors.New("store schema is out of date")
)

// kindError carries a kind for errors.Is without repeating it in the text.
type kindError struct {
	kind error
	err  error
}

func (e *kindError) Error() string   { return e.err.Error() }
func (e *kindError) Unwrap() []error { return []error{e.err, e.kind} }

// Errorf formats an error of a kind (ErrNotFound, ...): errors.Is matches
// the kind, and the text is only the message, which says what was wrong and
// what to do.
func Errorf(kind error, format string, args ...any) error {
	return &kindError{kind: kind, err: fmt.Errorf(format, args...)}
}
