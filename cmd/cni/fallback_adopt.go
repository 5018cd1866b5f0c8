package cni

import (
	"context"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/cmd/server"
)

// Adopt takes over leases through the server, or the store when the
// server cannot be reached (the CNI plugin never calls it; the fallback
// is a whole Service).
func (f *fallback) Adopt(ctx context.Context, req server.AdoptRequest) (out alloc.Adoption, err error) {
	err = f.try(func(s server.Service) error { out, err = s.Adopt(ctx, req); return err })
	return out, err
}
