package local

import "context"

// Operator runs the use cases that change the topology's data beyond
// allocation: grow a TOR now, return empty expanded blocks, sync the nodes
// of a Kubernetes cluster. Service, the Daemon and the Client implement
// it, so that `subnet expand`, `subnet reclaim` and `node import
// --from-kubernetes` work the same directly and through --server.
type Operator interface {
	ExpandTOR(ctx context.Context, req ExpandTORRequest) ([]ExpandResult, error)
	Reclaim(ctx context.Context, req ReclaimRequest) (ReclaimReport, error)
	KubeImport(ctx context.Context, req KubeImportRequest) (KubeImportReport, error)
}

var _ Operator = Service{}

// ExpandTOR grows the TOR on the store.
func (l Service) ExpandTOR(ctx context.Context, req ExpandTORRequest) ([]ExpandResult, error) {
	return ExpandTOR(ctx, l.Store, req)
}

// Reclaim returns empty expanded blocks on the store.
func (l Service) Reclaim(ctx context.Context, req ReclaimRequest) (ReclaimReport, error) {
	return Reclaim(ctx, l.Store, req)
}

// KubeImport syncs the nodes on the store.
func (l Service) KubeImport(ctx context.Context, req KubeImportRequest) (KubeImportReport, error) {
	return KubeImport(ctx, l.Store, req)
}
