// Package local is the application layer in process: every use case the
// CLI, the CNI plugin and the server share, over an open store. Service is
// ipam.Service on a store for a one-shot call (allocation growing a full
// TOR first); Expand, ExpandIfNeeded and ExpansionBlocked grow TORs; RunGC
// is two-phase gc; Check verifies the store and the expansion rule;
// AdoptOn takes over another IPAM's leases; RunForecast and the Reporter,
// GCService and Checker interfaces are the reports, so that each works
// the same directly and through `--server`. The server's Daemon calls the
// same functions on its own store.
//
// It imports ipam, store, alloc, topo and strictjson; never net/http, prometheus,
// cobra or the server, and no SQL of its own: every query is the store's.
// Rules are here or in alloc (pure planning), never in the command line.
package local
