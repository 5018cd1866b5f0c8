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

// ErrorOf is the answer that says err, and its HTTP status.
func ErrorOf(err error) (Error, int) {
	name, status := KindOf(err)
	e := Error{Kind: name, Error: err.Error()}
	var ve topo.Errors
	if errors.As(err, &ve) {
		for _, p := range ve {
			var kind string
			if p.Kind != nil {
				kind, _ = KindOf(p.Kind)
			}
			e.Problems = append(e.Problems, Problem{Kind: kind, Error: p.Error()})
		}
	}
	return e, status
}

// Err is the error an answer says: of its kind, or the list of problems
// it names.
func (e Error) Err() error {
	if len(e.Problems) == 0 {
		return topo.Errorf(KindNamed(e.Kind), "%s", e.Error)
	}
	ve := make(topo.Errors, len(e.Problems))
	for i, p := range e.Problems {
		ve[i] = &topo.Error{Msg: p.Error}
		if p.Kind != "" {
			ve[i].Kind = KindNamed(p.Kind)
		}
	}
	return ve
}

// KindNamed is the kind a JSON error body names; an unknown name is an
// internal error.
func KindNamed(name string) error {
	if k := topo.KindNamed(name); k.Err != nil {
		return k.Err
	}
	return ErrInternal
}
