package store

import (
	"errors"
	"fmt"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/netipam/netipam/topo"
)

// Errors the store returns, whichever backend: callers test them with
// errors.Is and map them to exit codes or CNI error codes in one place.
var (
	// ErrNotFound, ErrConflict and ErrUnavailable are the domain's kinds
	// (see package topo), so that layers above need not import the store.
	ErrNotFound    = topo.ErrNotFound
	ErrConflict    = topo.ErrConflict
	ErrUnavailable = topo.ErrUnavailable
	// The store's own kinds live in package topo too, for the same
	// reason (the CNI plugin maps them without importing the store).
	ErrReadOnly = topo.ErrReadOnly
	ErrCorrupt  = topo.ErrCorrupt
	ErrNoStore  = topo.ErrNoStore
	ErrBadURL   = topo.ErrBadURL
	ErrNoSpace  = topo.ErrNoSpace
	ErrSchema   = topo.ErrSchema
)

// URLError says why a store URL names no store. errors.Is(err, ErrBadURL)
// is true.
type URLError struct {
	URL    string
	Reason error
}

func (e *URLError) Error() string        { return fmt.Sprintf("store URL %q: %v", e.URL, e.Reason) }
func (e *URLError) Unwrap() error        { return e.Reason }
func (e *URLError) Is(target error) bool { return target == ErrBadURL }

// ConflictError says which constraint refused a change.
type ConflictError struct {
	// Constraint is the engine's own words, e.g. "UNIQUE constraint failed:
	// allocations.address" or "netipam: subnet overlaps an existing subnet".
	Constraint string
}

func (e *ConflictError) Error() string { return e.Constraint }

// Is makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// OnAddress reports whether the conflict is a duplicate address.
func (e *ConflictError) OnAddress() bool {
	return strings.Contains(e.Constraint, "allocations.address")
}

// OnCheck reports whether a CHECK constraint refused the change.
func (e *ConflictError) OnCheck() bool {
	return strings.HasPrefix(e.Constraint, "CHECK constraint failed")
}

// ledgerOrderMarker starts the refusal of an event dated before the
// ledger's latest (migrations/0009_ledger_time.sql).
const ledgerOrderMarker = "netipam: event dated more than 5 minutes before the latest event"

// constraintMarkers start the part of an engine message that names the
// constraint; netipam's own triggers raise messages starting "netipam: ".
var constraintMarkers = []string{
	"netipam: ",
	"UNIQUE constraint failed",
	"FOREIGN KEY constraint failed",
	"CHECK constraint failed",
	"NOT NULL constraint failed",
}

// translate maps an engine error to the store's errors. Both backends call
// it once, where the error leaves the engine. SQLite's errors are classified
// by the driver's result code (sqliteKind); rqlite's arrive as text over
// HTTP, so they, and the few SQLite errors whose code is only the generic
// SQLITE_ERROR, are classified by message (messageKind).
func translate(err error) error {
	if err == nil {
		return nil
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		if t, ok := sqliteKind(se.Code(), err); ok {
			return t
		}
	}
	return messageKind(err)
}

// sqliteKind classifies by SQLite's primary result code; ok is false for a
// code that names no kind (SQLITE_ERROR, SQLITE_IOERR, ...).
func sqliteKind(code int, err error) (error, bool) {
	switch code & 0xff {
	case sqlite3.SQLITE_CONSTRAINT:
		// The code says "a constraint refused it"; only the message says
		// which one (the column, or netipam's own trigger text).
		return constraintError(err.Error()), true
	case sqlite3.SQLITE_FULL:
		return fmt.Errorf("%w: %w", ErrNoSpace, err), true
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return fmt.Errorf("%w: %w", ErrUnavailable, err), true
	case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_AUTH, sqlite3.SQLITE_PERM:
		return fmt.Errorf("%w: %w", ErrReadOnly, err), true
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		return fmt.Errorf("%w: %w", ErrCorrupt, err), true
	}
	return nil, false
}

// constraintError names the constraint an engine message reports. The
// ledger's order (migration 0009) is a trigger too, but not a conflict to
// retry: this host's clock is behind the ledger's.
func constraintError(msg string) error {
	if i := strings.Index(msg, ledgerOrderMarker); i >= 0 {
		return topo.Errorf(topo.ErrInvalid, "%s", clip(msg[i:]))
	}
	for _, m := range constraintMarkers {
		if i := strings.Index(msg, m); i >= 0 {
			return &ConflictError{Constraint: clip(msg[i:])}
		}
	}
	return &ConflictError{Constraint: msg}
}

// clip cuts the result code modernc appends (" (2067)") off a message.
func clip(c string) string {
	if j := strings.Index(c, " ("); j >= 0 {
		return c[:j]
	}
	return c
}

// messageKind classifies an error by its text: rqlite's (which carry
// SQLite's messages and the cluster's own), and SQLite's generic ones.
func messageKind(err error) error {
	msg := err.Error()
	if strings.Contains(msg, ledgerOrderMarker) {
		return constraintError(msg)
	}
	for _, m := range constraintMarkers {
		if strings.Contains(msg, m) {
			return constraintError(msg)
		}
	}
	has := func(subs ...string) bool {
		for _, s := range subs {
			if strings.Contains(msg, s) {
				return true
			}
		}
		return false
	}
	switch {
	case has("database or disk is full", "no space left on device"):
		return fmt.Errorf("%w: %w", ErrNoSpace, err)
	case has("database is locked", "not leader", "leadership lost", "no leader",
		"leader not found", "node failed to process", "store is not open",
		"connection refused", "tried all peers unsuccessfully", "context deadline exceeded"):
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	case has("readonly database", "attempt to write a readonly", "read-only", "readonly",
		"attempt to change database via query operation", "disallowed pragma",
		"not authorized", "authorization denied", "too many attached databases"):
		return fmt.Errorf("%w: %w", ErrReadOnly, err)
	case has("file is not a database", "malformed"):
		return fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return err
}
