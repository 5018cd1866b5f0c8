package api

import (
	"errors"
	"net/http"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/topo"
)

// ErrUnauthorized: a TCP request without a valid bearer token.
var ErrUnauthorized = errors.New("unauthorized")

// ErrInternal is the kind of an error no other kind matches.
var ErrInternal = errors.New("internal error")

// kinds is the one table between error kinds, their names in the JSON
// error body and HTTP statuses, both ways: the handlers write the first
// kind an error matches, the client turns the name back into the same
// kind, so exit codes and CNI codes do not change with the transport.
// "exhausted" is 507 Insufficient Storage: no free address is left, which
// is not a conflict a retry could win. The store kinds (exit 7) are 500
// with their own names.
var kinds = []struct {
	name   string
	kind   error
	status int
}{
	{"unauthorized", ErrUnauthorized, http.StatusUnauthorized},
	{"bad_url", topo.ErrBadURL, http.StatusBadRequest},
	{"no_store", topo.ErrNoStore, http.StatusInternalServerError},
	{"no_space", topo.ErrNoSpace, http.StatusInsufficientStorage},
	{"schema", topo.ErrSchema, http.StatusInternalServerError},
	{"not_found", topo.ErrNotFound, http.StatusNotFound},
	{"conflict", topo.ErrConflict, http.StatusConflict},
	{"exhausted", topo.ErrExhausted, http.StatusInsufficientStorage},
	{"unavailable", topo.ErrUnavailable, http.StatusServiceUnavailable},
	{"read_only", topo.ErrReadOnly, http.StatusInternalServerError},
	{"corrupt", topo.ErrCorrupt, http.StatusInternalServerError},
	{"invalid", topo.ErrInvalid, http.StatusBadRequest},
	{"internal", ErrInternal, http.StatusInternalServerError},
}

// KindOf names err's kind and its HTTP status, in the order cmd.ExitCode
// tests them.
func KindOf(err error) (name string, status int) {
	for _, k := range kinds {
		if errors.Is(err, k.kind) {
			return k.name, k.status
		}
	}
	// Validation lists and addresses outside a subnet are invalid
	// requests unless a kind above says otherwise.
	var ve topo.Errors
	var nr *alloc.NotInRangeError
	if errors.As(err, &ve) || errors.As(err, &nr) {
		return "invalid", http.StatusBadRequest
	}
	return "internal", http.StatusInternalServerError
}

// KindNamed is the kind a JSON error body names; an unknown name is an
// internal error.
func KindNamed(name string) error {
	for _, k := range kinds {
		if k.name == name {
			return k.kind
		}
	}
	return ErrInternal
}
