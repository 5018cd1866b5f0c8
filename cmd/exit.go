package cmd

import (
	"errors"
	"fmt"

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
// netipam was called comes first, then check's finding; every other error
// has the exit status of its kind (topo.Kinds, the one table).
func ExitCode(err error) int {
	var ue usageError
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, errCheckFailed):
		return ExitCheck
	case errors.As(err, &ue):
		return ExitInvalid
	}
	return topo.KindOf(err).Exit
}
