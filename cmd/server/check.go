package server

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

// Checker verifies the invariants of the stored data (`netipam check`):
// Local, Daemon and Client implement it.
type Checker interface {
	Check(ctx context.Context, threshold float64) (store.CheckReport, error)
}

var (
	_ Checker = Local{}
	_ Checker = (*Daemon)(nil)
	_ Checker = (*Client)(nil)
)

// Check runs the store's checks and the expansion rule: a TOR past
// threshold for a purpose and family whose pod has no room left for
// another block.
func Check(ctx context.Context, st *store.Store, threshold float64) (store.CheckReport, error) {
	if threshold <= 0 || threshold > 1 {
		return store.CheckReport{}, topo.Errorf(topo.ErrInvalid, "check: threshold %g: give a ratio in (0, 1], e.g. 0.8", threshold)
	}
	r, err := st.Check(ctx)
	if err != nil {
		return r, err
	}
	rows, err := st.Subnets(ctx, store.SubnetFilter{})
	if err != nil {
		return r, fmt.Errorf("check: %w", err)
	}
	pods, err := st.PodCIDRs(ctx)
	if err != nil {
		return r, fmt.Errorf("check: %w", err)
	}
	crowded, err := alloc.CrowdedTORs(SubnetUses(rows), pods, threshold)
	if err != nil {
		return r, fmt.Errorf("check: %w", err)
	}
	for _, c := range crowded {
		r.Add(store.Problem{Kind: store.ProblemThresholdNoRoom,
			Message: fmt.Sprintf("TOR %s holds %d of %s IPv%d %s addresses (%.0f%%, threshold %.0f%%) and its pod %s has no free /%d block left to expand into",
				c.TOR, c.Used, c.Capacity, c.Family, c.Purpose, 100*c.Ratio, 100*threshold, c.Pod, c.Bits),
			Objects: []store.Ref{{Type: "tor", ID: c.TOR}, {Type: "pod", ID: c.Pod}, {Type: "purpose", ID: c.Purpose}}})
	}
	return r, nil
}

// Check checks the store.
func (l Local) Check(ctx context.Context, threshold float64) (store.CheckReport, error) {
	return Check(ctx, l.Store, threshold)
}

// Check checks the daemon's store (what other writers did included).
func (d *Daemon) Check(ctx context.Context, threshold float64) (store.CheckReport, error) {
	return Check(ctx, d.st, threshold)
}

// check answers GET /v1/check[?threshold=0.8].
func (a *API) check(w http.ResponseWriter, r *http.Request) {
	c, ok := a.Svc.(Checker)
	if !ok {
		writeError(w, topo.Errorf(topo.ErrInvalid, "check: this server's service cannot check the store"))
		return
	}
	threshold := alloc.DefaultThreshold
	if v := r.URL.Query().Get("threshold"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			writeError(w, topo.Errorf(topo.ErrInvalid, "check: threshold %.40q: give a ratio such as 0.8", v))
			return
		}
		threshold = f
	}
	rep, err := c.Check(r.Context(), threshold)
	if err != nil {
		writeError(w, err)
		return
	}
	if rep.Problems == nil {
		rep.Problems = []store.Problem{}
	}
	writeJSON(w, rep)
}
