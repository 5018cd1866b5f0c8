// Package api is netipam's HTTP API as both ends see it: the JSON forms
// of requests and answers (and their conversions to the domain's types,
// at the wire only; an allocation is sent in topo.Allocation's own form),
// the bearer token file, the unix socket's permissions,
// and Client, the light HTTP client that implements ipam.Service and that
// the CNI plugin uses to ask a running `netipam serve`.
//
// It must stay light, since the CNI plugin loads it on every call: it
// imports ipam, alloc, topo and the standard library only; never the
// store, ipam/local, the server's daemon (package server), SQL or cobra.
package api
