package server

import (
	"context"
	"net/http"

	"github.com/netipam/netipam/alloc"
)

// Adopt asks the server to take over leases.
func (c *Client) Adopt(ctx context.Context, req AdoptRequest) (alloc.Adoption, error) {
	b := adoptBody{Node: req.Node, Network: req.Network, Source: req.Source, DryRun: req.DryRun, Leases: []leaseJSON{}}
	for _, l := range req.Leases {
		b.Leases = append(b.Leases, leaseJSON{Address: l.Addr, Container: l.Container, IfName: l.IfName})
	}
	var out adoptionJSON
	if err := c.do(ctx, http.MethodPost, "/v1/adopt", b, &out); err != nil {
		return alloc.Adoption{}, err
	}
	return alloc.Adoption{New: fromAllocationsJSON(out.New), Already: fromAllocationsJSON(out.Already),
		Skipped: fromRefusalsJSON(out.Skipped), Conflicts: fromRefusalsJSON(out.Conflicts)}, nil
}
