package local

import (
	"context"
	"fmt"

	"github.com/netipam/netipam/store"
)

// Checker verifies the invariants of the stored data (`netipam check`):
// Service, the Daemon and the Client implement it.
type Checker interface {
	Check(ctx context.Context) (store.CheckReport, error)
}

var _ Checker = Service{}

// Check runs the store's checks and the expansion rule: a TOR past its
// expansion threshold (or below a node's min_available) for a purpose and
// family that cannot grow: its pod has no room left for a block, or it
// holds max_subnets_per_tor blocks. The rule is the expansion planner's own
// (ExpansionBlocked), with the topology's expansion settings, so check
// reports exactly what expansion would find blocked.
func Check(ctx context.Context, st *store.Store) (store.CheckReport, error) {
	r, err := st.Check(ctx)
	if err != nil {
		return r, err
	}
	blocked, err := ExpansionBlocked(ctx, st)
	if err != nil {
		return r, fmt.Errorf("check: %w", err)
	}
	for _, b := range blocked {
		r.Add(store.Problem{Kind: store.ProblemThresholdNoRoom,
			Message: fmt.Sprintf("TOR %s holds %d of %d IPv%d %s addresses (%.0f%%, reason %s) and cannot grow: %s",
				b.TOR, b.Used, b.Capacity, b.Family, b.Purpose, 100*b.Ratio, b.Reason, b.Why),
			Objects: []store.Ref{{Type: "tor", ID: b.TOR}, {Type: "pod", ID: b.Pod}, {Type: "purpose", ID: b.Purpose}}})
	}
	return r, nil
}

// Check checks the store.
func (l Service) Check(ctx context.Context) (store.CheckReport, error) {
	return Check(ctx, l.Store)
}
