package local

import (
	"context"

	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

// AddSubnet gives a TOR one more subnet (`netipam subnet add`): the TOR
// must exist, the subnet must lie inside the TOR's pod (when the TOR has
// one) and overlap no stored subnet. source is the subnet's origin in the
// ledger ("cli"). The subnet itself is validated by its caller
// (topo.ValidateSubnet), where its flags are named.
func AddSubnet(ctx context.Context, st *store.Store, tor string, sn topo.Subnet, source string) error {
	if ok, err := st.TORExists(ctx, tor); err != nil {
		return err
	} else if !ok {
		return topo.Errorf(topo.ErrNotFound, "--tor %s: unknown TOR: list TORs with `netipam topo show`", tor)
	}
	t, err := st.LoadTopology(ctx)
	if err != nil {
		return err
	}
	if pod, ok := t.PodOf(tor); ok {
		if err := topo.CheckInsidePod("--cidr", sn, pod); err != nil {
			return topo.Errorf(topo.ErrConflict, "%w", err)
		}
	}
	rows, err := st.Subnets(ctx, topo.SubnetFilter{})
	if err != nil {
		return err
	}
	for _, r := range rows {
		if r.CIDR.Overlaps(sn.CIDR) {
			return topo.Errorf(topo.ErrConflict, "--cidr %s overlaps stored subnet %s of TOR %s: pick a free range", sn.CIDR, r.CIDR, r.TOR)
		}
	}
	return st.AddSubnet(ctx, tor, sn, source)
}
