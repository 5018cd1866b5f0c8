package local

import (
	"context"
	"errors"
	"fmt"
	"net/netip"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/ipam"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

// adoptOn sorts the leases against the node's TOR subnets and what the
// store holds (alloc.Adopt), and, unless it is a dry run or a lease
// conflicts, records the new ones in one atomic batch.
func AdoptOn(ctx context.Context, st *store.Store, req ipam.AdoptRequest) (alloc.Adoption, error) {
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
func (l Service) Adopt(ctx context.Context, req ipam.AdoptRequest) (alloc.Adoption, error) {
	return AdoptOn(ctx, l.Store, req)
}
