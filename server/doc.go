// Package server is netipam's long-running role and its client: one domain
// service (Service) with three implementations, in-process over a store for
// a one-shot call (Local), the server's own (Daemon: pools kept in memory,
// group commit), and an HTTP client that asks a running `netipam serve`, so
// that the CLI and the CNI plugin behave the same whichever they use.
// Handlers and client sit side by side and share one table of error kinds.
// It also owns the listeners, the Prometheus metrics and the use cases the
// three roles share (gc, check, expand, reclaim, adopt, reports).
//
// The Daemon owns its goroutines (the feed follower, the expansion loop,
// the store watcher): they run on a context its Close cancels, and Close
// waits for every one before it returns, so the store is closed after
// them. Run closes the daemon it serves before it returns; the store is
// its caller's to close.
//
// It imports store, alloc, topo and its api package; never cobra or the
// command line (cmd), and no SQL of its own: every query is the store's.
package server
