package cni

import (
	"context"
	"fmt"
	"net/netip"
	"slices"

	"github.com/netipam/netipam/ipam"
	"github.com/netipam/netipam/topo"
)

func (f *fallback) Routes(ctx context.Context, level topo.Level, id string) (out []netip.Prefix, err error) {
	err = f.try(func(s ipam.Service) error { out, err = s.Routes(ctx, level, id); return err })
	return out, err
}

// parseAggregateRoutes reads ipam.aggregate_routes: "tor" adds the node's
// TOR's aggregate prefixes to the result as routes; "" adds none.
func parseAggregateRoutes(v string) (topo.Level, error) {
	switch v {
	case "":
		return "", nil
	case string(topo.LevelTOR):
		return topo.LevelTOR, nil
	}
	return "", fmt.Errorf("ipam.aggregate_routes: %q: use \"tor\" (the node's TOR's aggregate prefixes as routes) or leave it out", v)
}

// aggregateRoutes adds to the configured routes the aggregate prefixes of
// the TOR the allocations were made on, each via the gateway of the
// allocated address of its family (route.gw zero); a prefix already
// configured as a route is not repeated. A family without an address gets
// none (result drops routes of a family without an address).
func (c *config) aggregateRoutes(ctx context.Context, svc ipam.Service, allocs []topo.Allocation) error {
	if c.AggregateRoutes == "" || len(allocs) == 0 {
		return nil
	}
	ps, err := svc.Routes(ctx, topo.LevelTOR, allocs[0].TOR)
	if err != nil {
		return fmt.Errorf("aggregate routes of tor %s: %w", allocs[0].TOR, err)
	}
	for _, p := range ps {
		if !slices.ContainsFunc(c.Routes, func(r route) bool { return r.dst == p }) {
			c.Routes = append(c.Routes, route{dst: p})
		}
	}
	return nil
}
