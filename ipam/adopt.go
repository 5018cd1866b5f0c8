package ipam

import (
	"fmt"

	"github.com/netipam/netipam/alloc"
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
