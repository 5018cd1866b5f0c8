package local

import (
	"context"

	"github.com/netipam/netipam/store"
)

// Reporter answers the canned reports (`netipam report`): allocations per
// node, gc's candidates and the forecast. Service, the Daemon and the Client
// implement it beside ipam.Service, so that every report works through
// --server too.
type Reporter interface {
	NodeCounts(ctx context.Context) ([]store.NodeCount, error)
	GCCandidates(ctx context.Context, node string) ([]store.GCCandidate, error)
	Forecast(ctx context.Context, req ForecastRequest) (ForecastReport, error)
}

// NodeCounts reads the store.
func (l Service) NodeCounts(ctx context.Context) ([]store.NodeCount, error) {
	return l.Store.NodeCounts(ctx)
}

// GCCandidates reads the store.
func (l Service) GCCandidates(ctx context.Context, node string) ([]store.GCCandidate, error) {
	return l.Store.GCCandidates(ctx, node)
}

// Forecast reads the store.
func (l Service) Forecast(ctx context.Context, req ForecastRequest) (ForecastReport, error) {
	return RunForecast(ctx, l.Store, req)
}
