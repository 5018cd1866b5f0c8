package cmd

import (
	"net/netip"
	"time"

	"github.com/netipam/netipam/topo"
)

// allocationJSON is the stable JSON form of an allocation.
type allocationJSON struct {
	Address     string    `json:"address"`
	CIDR        string    `json:"cidr"`
	PrefixLen   int       `json:"prefix_length"`
	Gateway     string    `json:"gateway,omitempty"`
	Subnet      string    `json:"subnet"`
	Family      int       `json:"family"`
	Purpose     string    `json:"purpose"`
	Node        string    `json:"node"`
	TOR         string    `json:"tor"`
	Container   string    `json:"container,omitempty"`
	IfName      string    `json:"ifname,omitempty"`
	Network     string    `json:"network,omitempty"`
	Pod         string    `json:"pod,omitempty"`
	AllocatedAt time.Time `json:"allocated_at,omitzero"`
}

func toJSON(x topo.Allocation) allocationJSON {
	j := allocationJSON{
		Address: x.Address.String(), CIDR: netip.PrefixFrom(x.Address, x.Subnet.Bits()).String(),
		PrefixLen: x.Subnet.Bits(), Subnet: x.Subnet.String(), Family: int(topo.FamilyOf(x.Address)),
		Purpose: x.Purpose, Node: x.Node, TOR: x.TOR, Container: x.Container, IfName: x.IfName,
		Network: x.Network, AllocatedAt: x.At,
	}
	if x.Gateway.IsValid() {
		j.Gateway = x.Gateway.String()
	}
	if x.PodName != "" {
		j.Pod = x.PodNS + "/" + x.PodName
	}
	return j
}

// printAllocations writes allocations as a table or JSON array.
func (a *app) printAllocations(allocs []topo.Allocation) error {
	js := make([]allocationJSON, len(allocs))
	for i, x := range allocs {
		js[i] = toJSON(x)
	}
	if a.json() {
		return a.printJSON(js)
	}
	rows := make([][]string, len(js))
	for i, j := range js {
		rows[i] = []string{j.CIDR, j.Gateway, j.Subnet, j.Purpose, j.TOR, j.Node, j.Network, j.Container, j.IfName, j.Pod}
	}
	return a.printTable([]string{"ADDRESS", "GATEWAY", "SUBNET", "PURPOSE", "TOR", "NODE", "NETWORK", "CONTAINER", "IFNAME", "POD"}, rows)
}
