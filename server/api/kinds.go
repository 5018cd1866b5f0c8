package api

import (
	"errors"

	"github.com/netipam/netipam/topo"
)

// ErrInternal is the kind of an error no other kind matches.
var ErrInternal = errors.New("internal error")

// KindOf names err's kind and its HTTP status (topo.Kinds, the one table:
// the handlers write the name, the client turns it back into the kind).
func KindOf(err error) (name string, status int) {
	k := topo.KindOf(err)
	return k.Name, k.HTTP
}

// KindNamed is the kind a JSON error body names; an unknown name is an
// internal error.
func KindNamed(name string) error {
	if k := topo.KindNamed(name); k.Err != nil {
		return k.Err
	}
	return ErrInternal
}
