// Package server is netipam's long-running role: the Daemon (an
// ipam.Service with pools kept in memory and group commit, calling the use
// cases of ipam/local on its store), the HTTP API's handlers (thin: decode,
// validate, ask the Service, encode; error kinds map to statuses through
// topo.Kinds), the listeners (unix socket, TCP, TLS), start-up with retry,
// the Prometheus metrics, and Client: the API's light client (server/api)
// plus what only the CLI asks (gc, check, reports).
//
// The Daemon owns its goroutines (the feed follower, the expansion loop,
// the store watcher): they run on a context its Close cancels, and Close
// waits for every one before it returns, so the store is closed after
// them. Run closes the daemon it serves before it returns; the store is
// its caller's to close.
//
// It imports ipam, ipam/local, store, alloc, topo, strictjson and its api
// package; never cobra or the command line (cmd), and no SQL of its own:
// every query is the store's. No use case lives here: a rule the daemon
// needs is ipam/local's, so that the CLI without --server keeps it too.
package server
