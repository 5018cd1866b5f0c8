// Package alloc is netipam's allocation policy, pure and in memory: the
// address pools (a Bitmap and a Sparse set that know only offsets, and a
// Pool that maps the addresses of one subnet to offsets, the two layers of
// Kubernetes' allocator and ipallocator); the long-lived Allocator that
// keeps them between requests and follows the ledger's change feed
// (Follow); the choice of candidate subnets and addresses; expansion
// planning (which TOR grows, by which block); gc decisions; capacity,
// usage and forecasts.
//
// It owns the rules, not the state: what it needs of the store comes
// through small interfaces (Ledger, Feed) that the caller implements.
// It imports topo and the standard library only: no SQL, no store, no
// cobra, no HTTP, no logging; it starts a goroutine only when its caller
// asks (Follow, which returns when its context ends).
package alloc
