package local

import (
	"context"
	"errors"
	"fmt"

	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

// ExpandTORRequest asks to grow a TOR's subnets of a purpose by one block
// of its pod now (`netipam subnet expand`, POST /v1/expand).
type ExpandTORRequest struct {
	TOR     string       `json:"tor"`
	Purpose topo.Purpose `json:"purpose"`
	// Family is 4 or 6; 0 grows every family the TOR has subnets of for
	// the purpose.
	Family topo.Family `json:"family,omitempty"`
	DryRun bool        `json:"dry_run,omitempty"`
}

// Validate checks the TOR's id and the family.
func (r ExpandTORRequest) Validate() error {
	if err := topo.CheckID("--tor", r.TOR); err != nil {
		return topo.Errorf(topo.ErrInvalid, "%w", err)
	}
	if r.Family != 0 && r.Family != topo.IPv4 && r.Family != topo.IPv6 {
		return topo.Errorf(topo.ErrInvalid, "--family %d: use 4, 6 or all", r.Family)
	}
	return nil
}

// ExpandTOR grows the TOR by one block for each family the request names
// (Expand, reason manual): the TOR must exist and hold a subnet of the
// purpose in each family grown. The plans come back with what each did,
// also when one family's expansion failed (its error is joined to the
// others').
func ExpandTOR(ctx context.Context, st *store.Store, req ExpandTORRequest) ([]ExpandResult, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	if ok, err := st.TORExists(ctx, req.TOR); err != nil {
		return nil, err
	} else if !ok {
		return nil, topo.Errorf(topo.ErrNotFound, "--tor %s: unknown TOR: list TORs with `netipam topo show`", req.TOR)
	}
	subnets, err := st.TORSubnets(ctx, req.TOR)
	if err != nil {
		return nil, err
	}
	have := map[topo.Family]bool{}
	for _, s := range subnets {
		if s.Purpose == req.Purpose {
			have[topo.FamilyOfPrefix(s.CIDR)] = true
		}
	}
	fams := []topo.Family{req.Family}
	if req.Family == 0 {
		fams = nil
		for _, f := range []topo.Family{topo.IPv4, topo.IPv6} {
			if have[f] {
				fams = append(fams, f)
			}
		}
	}
	if len(fams) == 0 || !have[fams[0]] {
		of := ""
		if req.Family != 0 {
			of = fmt.Sprintf(" of IPv%d", req.Family)
		}
		return nil, topo.Errorf(topo.ErrNotFound, "TOR %s has no %s subnet%s to grow: add one with `netipam subnet add --tor %s --purpose %s --cidr CIDR`",
			req.TOR, req.Purpose, of, req.TOR, req.Purpose)
	}
	results := []ExpandResult{}
	var errs []error
	for _, f := range fams {
		res, err := Expand(ctx, st, ExpandRequest{TOR: req.TOR, Purpose: req.Purpose, Family: f, Manual: true, DryRun: req.DryRun})
		if res.TOR != "" {
			results = append(results, res)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return results, errors.Join(errs...)
}
