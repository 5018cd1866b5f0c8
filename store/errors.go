package store

import (
	"fmt"
	"strings"

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

// translate maps an engine error, by its message (the one thing SQLite and
// rqlite share), to the store's errors. Both backends call it once, where
// the error leaves the engine.
func translate(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	// The ledger's order (migration 0009) is not a race to retry: this
	// host's clock is behind the ledger's.
	if i := strings.Index(msg, ledgerOrderMarker); i >= 0 {
		c := msg[i:]
		if j := strings.Index(c, " ("); j >= 0 {
			c = c[:j]
		}
		return topo.Errorf(topo.ErrInvalid, "%s", c)
	}
	for _, m := range constraintMarkers {
		if i := strings.Index(msg, m); i >= 0 {
			c := msg[i:]
			if j := strings.Index(c, " ("); j >= 0 { // modernc appends " (2067)"
				c = c[:j]
			}
			return &ConflictError{Constraint: c}
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
	case has("database or disk is full", "SQLITE_FULL", "no space left on device"):
		return fmt.Errorf("%w: %w", ErrNoSpace, err)
	case has("database is locked", "SQLITE_BUSY", "not leader", "leadership lost", "no leader",
		"leader not found", "node failed to process", "store is not open",
		"connection refused", "tried all peers unsuccessfully", "context deadline exceeded"):
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	case has("readonly database", "attempt to write a readonly", "read-only", "readonly",
		"attempt to change database via query operation", "disallowed pragma",
		"not authorized", "authorization denied", "too many attached databases"):
		return fmt.Errorf("%w: %w", ErrReadOnly, err)
	case has("file is not a database", "malformed", "SQLITE_NOTADB", "SQLITE_CORRUPT"):
		return fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return err
}
