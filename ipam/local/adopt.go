package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

// AdoptRequest asks to take over another IPAM's leases on a node (`netipam
// migrate host-local`) as allocations of a CNI network.
type AdoptRequest struct {
	Node, Network string
	Leases        []alloc.Lease
	// Source says where the leases came from, for the ledger's import
	// event ("host-local /var/lib/cni/networks/NET").
	Source string
	DryRun bool
}

// Validate checks the request's names with the CNI rules.
func (r AdoptRequest) Validate() error {
	if err := topo.CheckID("node", r.Node); err != nil {
		return topo.Errorf(topo.ErrInvalid, "%w", err)
	}
	if r.Network == "" {
		return topo.Errorf(topo.ErrInvalid, "adopt: give the CNI network the leases belong to")
	}
	for _, l := range r.Leases {
		if !l.Addr.IsValid() {
			return topo.Errorf(topo.ErrInvalid, "adopt: a lease without an address")
		}
		if err := topo.ValidateAttachment(topo.Attachment{Network: r.Network, Container: l.Container, IfName: l.IfName}); err != nil {
			return fmt.Errorf("lease %s: %w", l.Addr, err)
		}
	}
	return topo.ValidateLabel("source", r.Source)
}

// adoptOn sorts the leases against the node's TOR subnets and what the
// store holds (alloc.Adopt), and, unless it is a dry run or a lease
// conflicts, records the new ones in one atomic batch.
func adoptOn(ctx context.Context, st *store.Store, req AdoptRequest) (alloc.Adoption, error) {
	node, err := st.Node(ctx, req.Node)
	if errors.Is(err, topo.ErrNotFound) {
		return alloc.Adoption{}, topo.Errorf(topo.ErrNotFound,
			"node %s: not registered: register it with `netipam node register --id %s --tor TOR` (or without --tor for a virtual TOR)", req.Node, req.Node)
	}
	if err != nil {
		return alloc.Adoption{}, err
	}
	subnets, err := st.TORSubnets(ctx, node.TOR)
	if err != nil {
		return alloc.Adoption{}, err
	}
	addrs := make([]netip.Addr, len(req.Leases))
	for i, l := range req.Leases {
		addrs[i] = l.Addr
	}
	held, err := st.HeldFor(ctx, req.Node, req.Network, addrs)
	if err != nil {
		return alloc.Adoption{}, err
	}
	ad, err := alloc.Adopt(alloc.AdoptTarget{Node: req.Node, TOR: node.TOR, Network: req.Network, Subnets: subnets}, req.Leases, held)
	if err != nil || len(ad.Conflicts) > 0 || req.DryRun {
		return ad, err
	}
	err = st.AdoptAllocations(ctx, ad.New, store.Event{Node: req.Node, TOR: node.TOR, Network: req.Network,
		Detail: fmt.Sprintf("%s: %d address(es)", req.Source, len(ad.New))})
	return ad, err
}

// Adopt takes over leases through the store.
func (l Local) Adopt(ctx context.Context, req AdoptRequest) (alloc.Adoption, error) {
	return adoptOn(ctx, l.Store, req)
}

// Adopt takes over leases through the store; the pools learn of the new
// allocations from the ledger's change feed (and the schema refuses a
// duplicate before they do).
func (d *Daemon) Adopt(ctx context.Context, req AdoptRequest) (ad alloc.Adoption, err error) {
	defer d.timed(OpOther)(&err)
	return adoptOn(ctx, d.st, req)
}

// leaseJSON is one lease of POST /v1/adopt, and one refused lease of its
// answer (with the reason).
type leaseJSON struct {
	Address   netip.Addr `json:"address"`
	Container string     `json:"container"`
	IfName    string     `json:"ifname"`
	Reason    string     `json:"reason,omitempty"`
}

// adoptBody is POST /v1/adopt.
type adoptBody struct {
	Node    string      `json:"node"`
	Network string      `json:"network"`
	Leases  []leaseJSON `json:"leases"`
	Source  string      `json:"source"`
	DryRun  bool        `json:"dry_run"`
}

// adoptionJSON is its answer.
type adoptionJSON struct {
	New       []allocationJSON `json:"new"`
	Already   []allocationJSON `json:"already"`
	Skipped   []leaseJSON      `json:"skipped"`
	Conflicts []leaseJSON      `json:"conflicts"`
}

func toRefusalsJSON(rs []alloc.Refusal) []leaseJSON {
	out := make([]leaseJSON, len(rs))
	for i, r := range rs {
		out[i] = leaseJSON{r.Lease.Addr, r.Lease.Container, r.Lease.IfName, r.Reason}
	}
	return out
}

func fromRefusalsJSON(js []leaseJSON) []alloc.Refusal {
	out := make([]alloc.Refusal, len(js))
	for i, j := range js {
		out[i] = alloc.Refusal{Lease: alloc.Lease{Addr: j.Address, Container: j.Container, IfName: j.IfName}, Reason: j.Reason}
	}
	return out
}

func (a *API) adopt(w http.ResponseWriter, r *http.Request) {
	var b adoptBody
	if err := decode(w, r, &b); err != nil {
		writeError(w, err)
		return
	}
	req := AdoptRequest{Node: b.Node, Network: b.Network, Source: b.Source, DryRun: b.DryRun}
	for _, l := range b.Leases {
		req.Leases = append(req.Leases, alloc.Lease{Addr: l.Address, Container: l.Container, IfName: l.IfName})
	}
	if err := req.Validate(); err != nil {
		writeError(w, err)
		return
	}
	ad, err := a.Svc.Adopt(r.Context(), req)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, adoptionJSON{New: toAllocationsJSON(ad.New), Already: toAllocationsJSON(ad.Already),
		Skipped: toRefusalsJSON(ad.Skipped), Conflicts: toRefusalsJSON(ad.Conflicts)})
}
