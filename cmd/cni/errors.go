package cni

import (
	"encoding/json"
	"errors"
	"io"

	"github.com/containernetworking/cni/pkg/types"

	"github.com/netipam/netipam/topo"
)

// CNI error codes netipam answers with (SPEC.md, "Well-known error
// codes"): those of the error kinds (topo.Kinds: 7 invalid config, 11 try
// again later, 999 internal), and these two for what only the plugin
// knows.
const (
	codeInvalidConfig = types.ErrInvalidNetworkConfig // 7: fix the config or the registry
	codeNotAvailable  = uint(50)                      // STATUS: the node cannot get an address
	codeInternal      = types.ErrInternal             // 999: before the kinds are known (early.go)
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
	case errors.As(err, &ce):
		return types.NewError(codeInvalidConfig, msg, "")
	}
	return types.NewError(topo.KindOf(err).CNI, msg, "") // topo.Kinds, the one table
}

// errorResult is a CNI error as the spec shows it: the version of the
// request, the code, a message, and details naming what was asked.
type errorResult struct {
	CNIVersion string `json:"cniVersion"`
	Code       uint   `json:"code"`
	Msg        string `json:"msg"`
	Details    string `json:"details,omitempty"`
}

// printError writes e as the spec's error result. Before the config is
// read (skel's own checks) the version is the newest netipam speaks.
func (p *plugin) printError(w io.Writer, e *types.Error) error {
	r := errorResult{CNIVersion: p.cniVersion, Code: e.Code, Msg: e.Msg, Details: e.Details}
	if r.CNIVersion == "" {
		r.CNIVersion = versions.SupportedVersions()[len(versions.SupportedVersions())-1]
	}
	if r.Details == "" {
		r.Details = p.details
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "    ")
	return enc.Encode(r)
}
