package cni

import (
	"errors"

	"github.com/containernetworking/cni/pkg/types"

	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

// CNI error codes netipam answers with (SPEC.md, "Well-known error codes").
const (
	codeInvalidConfig = types.ErrInvalidNetworkConfig // 7: fix the config or the registry
	codeTryAgain      = types.ErrTryAgainLater        // 11: store busy, no leader
	codeNotAvailable  = uint(50)                      // STATUS: the node cannot get an address
	codeInternal      = types.ErrInternal             // 999: anything else, with a clear message
)

// configError marks a fault in the network configuration (or in what the
// runtime passed): the same call fails until the config changes.
type configError struct{ err error }

func (e configError) Error() string { return e.err.Error() }
func (e configError) Unwrap() error { return e.err }

// unavailableError marks a STATUS finding: this node cannot be served now.
type unavailableError struct{ err error }

func (e unavailableError) Error() string { return e.err.Error() }
func (e unavailableError) Unwrap() error { return e.err }

// cniError maps an error to a CNI error: the one place errors become CNI
// codes. The message names the command and the cause.
func cniError(cmd string, err error) *types.Error {
	var te *types.Error
	if errors.As(err, &te) {
		return te
	}
	var ce configError
	var ue unavailableError
	msg := "netipam " + cmd + ": " + err.Error()
	switch {
	case errors.As(err, &ue):
		return types.NewError(codeNotAvailable, msg, "")
	case errors.Is(err, topo.ErrUnavailable):
		return types.NewError(codeTryAgain, msg, "")
	case errors.As(err, &ce), errors.Is(err, topo.ErrInvalid), errors.Is(err, topo.ErrNotFound),
		errors.Is(err, store.ErrNoStore), errors.Is(err, store.ErrBadURL):
		return types.NewError(codeInvalidConfig, msg, "")
	}
	return types.NewError(codeInternal, msg, "")
}
