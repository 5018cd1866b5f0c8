package topo

import (
	"context"
	"errors"
)

// ErrUnauthorized: a request to the server's TCP listener without a valid
// bearer token.
var ErrUnauthorized = errors.New("unauthorized")

// Kind is one kind of failure with every outward form of it. Kinds is the
// one table they come from: the CLI's exit status (cmd.ExitCode), the
// API's error name and HTTP status (both ways: the client maps the name
// back to Err, so exit codes do not change with the transport), the CNI
// plugin's error code, and the result label of the server's metrics.
// docs/commands.md ("Error kinds") prints it; a test keeps them equal.
type Kind struct {
	Err    error  // what errors.Is matches; nil for internal, the kind of no kind
	Name   string // the API error body's "kind"
	Exit   int    // the CLI's exit status
	HTTP   int    // the API's status
	CNI    uint   // the CNI error code
	Result string // the server metrics' result label
}

// Kinds in the order KindOf tests them: a bad store URL is how netipam was
// called, a missing store comes before the not-found of its contents, and
// a store that cannot be used before what it would have said.
var Kinds = []Kind{
	{ErrUnauthorized, "unauthorized", 1, 401, 999, "error"},
	{ErrBadURL, "bad_url", 2, 400, 7, "invalid"},
	{ErrNoStore, "no_store", 7, 500, 7, "error"},
	{ErrNoSpace, "no_space", 7, 507, 999, "error"},
	{ErrSchema, "schema", 7, 500, 999, "error"},
	{ErrNotFound, "not_found", 3, 404, 7, "not_found"},
	{ErrConflict, "conflict", 4, 409, 999, "conflict"},
	{ErrExhausted, "exhausted", 5, 507, 999, "exhausted"},
	{ErrUnavailable, "unavailable", 6, 503, 11, "unavailable"},
	{ErrReadOnly, "read_only", 7, 500, 999, "error"},
	{ErrCorrupt, "corrupt", 7, 500, 999, "error"},
	{ErrInvalid, "invalid", 2, 400, 7, "invalid"},
	{nil, "internal", 1, 500, 999, "error"},
}

// KindOf gives the kind of err: the first of Kinds it matches. A list of
// validation errors is invalid; a context cancelled or past its deadline
// (a client that went away, a timeout) is unavailable, as the store's own
// busy answer is; anything else is internal.
func KindOf(err error) Kind {
	for _, k := range Kinds {
		if k.Err != nil && errors.Is(err, k.Err) {
			return k
		}
	}
	var ve Errors
	switch {
	case errors.As(err, &ve):
		return KindNamed("invalid")
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return KindNamed("unavailable")
	}
	return Kinds[len(Kinds)-1]
}

// KindNamed is the kind of an API error name; an unknown name is internal.
func KindNamed(name string) Kind {
	for _, k := range Kinds {
		if k.Name == name {
			return k
		}
	}
	return Kinds[len(Kinds)-1]
}
