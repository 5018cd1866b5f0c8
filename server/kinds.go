package server

import "github.com/netipam/netipam/server/api"

// ErrUnauthorized: a TCP request without a valid bearer token.
var ErrUnauthorized = api.ErrUnauthorized

// kindOf names err's kind and its HTTP status (the table is in package
// api, shared by the handlers and every client).
func kindOf(err error) (name string, status int) { return api.KindOf(err) }
