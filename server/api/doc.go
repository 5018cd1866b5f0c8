// Package api is netipam's HTTP API as both ends see it: the wire types
// of requests and answers, the error kinds and their HTTP statuses, the
// bearer token file, the unix socket's permissions, and the light client
// the CNI plugin uses to ask a running `netipam serve`.
//
// It must stay light, since the CNI plugin loads it on every call: it
// imports alloc, topo and the standard library only; never the store,
// the server's daemon (cmd/server), SQL or cobra.
package api
