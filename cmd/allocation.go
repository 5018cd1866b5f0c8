package cmd

import (
	"github.com/netipam/netipam/topo"
)

// printAllocations writes allocations as a table or, with -o json, a JSON
// array of their one form (topo.Allocation's).
func (a *app) printAllocations(allocs []topo.Allocation) error {
	if a.json() {
		if allocs == nil {
			allocs = []topo.Allocation{}
		}
		return a.printJSON(allocs)
	}
	rows := make([][]string, len(allocs))
	for i, x := range allocs {
		gw := ""
		if x.Gateway.IsValid() {
			gw = x.Gateway.String()
		}
		rows[i] = []string{x.CIDR().String(), gw, x.Subnet.String(), x.Purpose, x.TOR, x.Node, x.Network, x.Container, x.IfName, x.Pod()}
	}
	return a.printTable([]string{"ADDRESS", "GATEWAY", "SUBNET", "PURPOSE", "TOR", "NODE", "NETWORK", "CONTAINER", "IFNAME", "POD"}, rows)
}
