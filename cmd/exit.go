package cmd

import (
	"errors"
	"fmt"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

// Exit codes, the one place errors become numbers (docs/commands.md lists them).
const (
	ExitOK          = 0
	ExitError       = 1 // unexpected
	ExitInvalid     = 2 // bad flags, file or request
	ExitNotFound    = 3 // unknown node, TOR, address
	ExitConflict    = 4 // already allocated, overlapping, in use
	ExitExhausted   = 5 // no free address
	ExitUnavailable = 6 // store busy or no leader: try again
	ExitStore       = 7 // store unusable: missing, read-only, full, corrupt, old schema
	ExitCheck       = 8 // netipam check found problems
)

// usageError marks errors in how netipam was called (flags, arguments).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// ExitCode maps an error to the process exit status. A mistake in how
// netipam was called comes first; then the kinds of failure, so that an
// unknown TOR inside a list of file errors is "not found".
func ExitCode(err error) int {
	var ue usageError
	var ve topo.Errors
	var nr *alloc.NotInRangeError
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, errCheckFailed):
		return ExitCheck
	case errors.As(err, &ue), errors.Is(err, store.ErrBadURL):
		return ExitInvalid
	case errors.Is(err, store.ErrNoStore), errors.Is(err, store.ErrNoSpace), errors.Is(err, store.ErrSchema):
		return ExitStore
	case errors.Is(err, topo.ErrNotFound):
		return ExitNotFound
	case errors.Is(err, topo.ErrConflict):
		return ExitConflict
	case errors.Is(err, topo.ErrExhausted):
		return ExitExhausted
	case errors.Is(err, topo.ErrUnavailable):
		return ExitUnavailable
	case errors.Is(err, store.ErrReadOnly), errors.Is(err, store.ErrCorrupt):
		return ExitStore
	case errors.As(err, &ve), errors.As(err, &nr), errors.Is(err, topo.ErrInvalid):
		return ExitInvalid
	}
	return ExitError
}
