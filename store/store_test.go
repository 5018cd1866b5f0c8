package store_test

import (
	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/store"
)

// The store is the allocator's ledger.
var _ alloc.Ledger = (*store.Store)(nil)
