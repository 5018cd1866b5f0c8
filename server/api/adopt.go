package api

import (
	"context"
	"net/http"
	"net/netip"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/ipam"
	"github.com/netipam/netipam/topo"
)

// Lease is one lease of POST /v1/adopt, and one refused lease of its
// answer (with the reason).
type Lease struct {
	Address   netip.Addr `json:"address"`
	Container string     `json:"container"`
	IfName    string     `json:"ifname"`
	Reason    string     `json:"reason,omitempty"`
}

// AdoptBody is POST /v1/adopt.
type AdoptBody struct {
	Node    string  `json:"node"`
	Network string  `json:"network"`
	Leases  []Lease `json:"leases"`
	Source  string  `json:"source"`
	DryRun  bool    `json:"dry_run"`
}

// NewAdoptBody is the body of a request.
func NewAdoptBody(req ipam.AdoptRequest) AdoptBody {
	b := AdoptBody{Node: req.Node, Network: req.Network, Source: req.Source, DryRun: req.DryRun, Leases: []Lease{}}
	for _, l := range req.Leases {
		b.Leases = append(b.Leases, Lease{Address: l.Addr, Container: l.Container, IfName: l.IfName})
	}
	return b
}

// Request is the request a body asks.
func (b AdoptBody) Request() ipam.AdoptRequest {
	req := ipam.AdoptRequest{Node: b.Node, Network: b.Network, Source: b.Source, DryRun: b.DryRun}
	for _, l := range b.Leases {
		req.Leases = append(req.Leases, alloc.Lease{Addr: l.Address, Container: l.Container, IfName: l.IfName})
	}
	return req
}

// Adoption is the answer to POST /v1/adopt.
type Adoption struct {
	New       []topo.Allocation `json:"new"`
	Already   []topo.Allocation `json:"already"`
	Skipped   []Lease           `json:"skipped"`
	Conflicts []Lease           `json:"conflicts"`
}

// NewAdoption is the JSON form of an adoption.
func NewAdoption(ad alloc.Adoption) Adoption {
	return Adoption{New: NonNil(ad.New), Already: NonNil(ad.Already),
		Skipped: refusals(ad.Skipped), Conflicts: refusals(ad.Conflicts)}
}

// Domain is the adoption the answer names.
func (j Adoption) Domain() alloc.Adoption {
	return alloc.Adoption{New: NonNil(j.New), Already: NonNil(j.Already),
		Skipped: fromRefusals(j.Skipped), Conflicts: fromRefusals(j.Conflicts)}
}

func refusals(rs []alloc.Refusal) []Lease {
	out := make([]Lease, len(rs))
	for i, r := range rs {
		out[i] = Lease{r.Lease.Addr, r.Lease.Container, r.Lease.IfName, r.Reason}
	}
	return out
}

func fromRefusals(js []Lease) []alloc.Refusal {
	out := make([]alloc.Refusal, len(js))
	for i, j := range js {
		out[i] = alloc.Refusal{Lease: alloc.Lease{Addr: j.Address, Container: j.Container, IfName: j.IfName}, Reason: j.Reason}
	}
	return out
}

// Adopt asks the server to take over leases.
func (c *Client) Adopt(ctx context.Context, req ipam.AdoptRequest) (alloc.Adoption, error) {
	var out Adoption
	if err := c.Do(ctx, http.MethodPost, "/v1/adopt", NewAdoptBody(req), &out); err != nil {
		return alloc.Adoption{}, err
	}
	return out.Domain(), nil
}
