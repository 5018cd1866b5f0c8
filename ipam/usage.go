package ipam

import (
	"context"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/topo"
)

// SubnetUses is the part of subnet rows the shared rules read
// (alloc.Usage, alloc.CheckRoom).
func SubnetUses(rows []topo.SubnetRow) []alloc.SubnetUse {
	out := make([]alloc.SubnetUse, len(rows))
	for i, r := range rows {
		out[i] = alloc.SubnetUse{Subnet: r.Subnet, Zone: r.Zone, Pod: r.Pod, TOR: r.TOR, Level: r.Level, Used: r.Used}
	}
	return out
}

// Usage is used / capacity by zone, pod and TOR, from any Service.
func Usage(ctx context.Context, svc Service) ([]alloc.UsageRow, error) {
	rows, err := svc.Subnets(ctx, topo.SubnetFilter{})
	if err != nil {
		return nil, err
	}
	return alloc.Usage(SubnetUses(rows))
}
