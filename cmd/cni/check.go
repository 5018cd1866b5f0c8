package cni

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/containernetworking/cni/pkg/skel"
	"github.com/containernetworking/cni/pkg/types"
	types100 "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/cni/pkg/version"

	"github.com/netipam/netipam/ipam"
	"github.com/netipam/netipam/topo"
)

// check verifies that every address of prevResult is recorded for the
// attachment on this node.
func (p *plugin) check(args *skel.CmdArgs, c *config, svc ipam.Service) error {
	prev, err := prevAddresses(args.StdinData)
	if err != nil {
		return configError{err}
	}
	att := c.attachment(args)
	owned, err := svc.Allocations(p.ctx, topo.OwnedBy(c.Node, att))
	if err != nil {
		return fmt.Errorf("look up attachment %s: %w", att, err)
	}
	for _, ip := range prev {
		if !slices.ContainsFunc(owned, func(a topo.Allocation) bool { return a.Address == ip }) {
			held := "nothing"
			if len(owned) > 0 {
				var as []string
				for _, a := range owned {
					as = append(as, a.Address.String())
				}
				held = strings.Join(as, ", ")
			}
			return fmt.Errorf("%s in prevResult is not recorded for attachment %s on node %s (the store holds %s for it there): run DEL and ADD again",
				ip, att, c.Node, held)
		}
	}
	return nil
}

// prevAddresses reads the addresses of the config's prevResult.
func prevAddresses(stdin []byte) ([]netip.Addr, error) {
	conf, err := parsePluginConf(stdin)
	if err != nil {
		return nil, err
	}
	if conf.RawPrevResult == nil {
		return nil, errors.New("CHECK needs prevResult in the network config")
	}
	if err := version.ParsePrevResult(conf); err != nil {
		return nil, fmt.Errorf("read prevResult: %w", err)
	}
	res, err := types100.NewResultFromResult(conf.PrevResult)
	if err != nil {
		return nil, fmt.Errorf("read prevResult: %w", err)
	}
	var out []netip.Addr
	for _, ip := range res.IPs {
		a, ok := netip.AddrFromSlice(ip.Address.IP)
		if !ok {
			return nil, fmt.Errorf("prevResult address %q: not an IP address", ip.Address.String())
		}
		out = append(out, a.Unmap())
	}
	return out, nil
}

func parsePluginConf(stdin []byte) (*types.PluginConf, error) {
	var conf types.PluginConf
	if err := json.Unmarshal(stdin, &conf); err != nil {
		return nil, fmt.Errorf("read network config: %w", err)
	}
	return &conf, nil
}
