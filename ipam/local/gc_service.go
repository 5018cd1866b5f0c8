package local

import "context"

// GCService runs gc: Service, the Daemon and the Client implement it beside
// ipam.Service (the CNI plugin has no use for it, its GC is CNI's own).
type GCService interface {
	// GC runs one two-phase gc request on a node (see RunGC).
	GC(ctx context.Context, req GCRequest) (GCReport, error)
}

// GC runs gc on the store.
func (l Service) GC(ctx context.Context, req GCRequest) (GCReport, error) {
	rep, _, err := RunGC(ctx, l.Store, req)
	return rep, err
}
