package cni

import (
	"cmp"
	"net"
	"net/netip"
	"slices"

	"github.com/containernetworking/cni/pkg/types"
	types100 "github.com/containernetworking/cni/pkg/types/100"

	"github.com/netipam/netipam/topo"
)

// result turns allocations into a CNI result: addresses in the order of
// the configured purposes, IPv4 before IPv6, each with its subnet's prefix
// length and gateway; then the configured routes of every family that got
// an address.
func (c *config) result(allocs []topo.Allocation) *types100.Result {
	allocs = slices.Clone(allocs)
	slices.SortStableFunc(allocs, func(a, b topo.Allocation) int {
		return cmp.Or(
			cmp.Compare(slices.Index(c.Purposes, a.Purpose), slices.Index(c.Purposes, b.Purpose)),
			cmp.Compare(topo.FamilyOf(a.Address), topo.FamilyOf(b.Address)),
			a.Address.Compare(b.Address))
	})
	res := &types100.Result{CNIVersion: types100.ImplementedSpecVersion}
	for _, a := range allocs {
		ip := &types100.IPConfig{Address: ipNet(netip.PrefixFrom(a.Address, a.Subnet.Bits()))}
		if a.Gateway.IsValid() {
			ip.Gateway = a.Gateway.AsSlice()
		}
		res.IPs = append(res.IPs, ip)
	}
	for _, r := range c.Routes {
		fam := topo.FamilyOf(r.dst.Addr())
		i := slices.IndexFunc(allocs, func(a topo.Allocation) bool { return topo.FamilyOf(a.Address) == fam })
		if i < 0 {
			continue // no address of the route's family: the route could not be used
		}
		gw := r.gw
		if !gw.IsValid() {
			gw = allocs[i].Gateway
		}
		rt := &types.Route{Dst: ipNet(r.dst)}
		if gw.IsValid() {
			rt.GW = gw.AsSlice()
		}
		res.Routes = append(res.Routes, rt)
	}
	return res
}

// ipNet converts at the CNI boundary, the one place net.IPNet is used.
func ipNet(p netip.Prefix) net.IPNet {
	a := p.Addr().Unmap()
	return net.IPNet{IP: a.AsSlice(), Mask: net.CIDRMask(p.Bits(), a.BitLen())}
}
