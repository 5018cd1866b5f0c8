package topo

import "net/netip"

// AllocationFilter selects allocations; nil fields match everything. An
// empty Container string matches allocations held by no container. It is
// the one filter every role speaks (the CLI, the CNI plugin, the HTTP API
// through its JSON form, the store), so that none of them needs another's
// types.
type AllocationFilter struct {
	Addresses []netip.Addr
	Node      *string
	TOR       *string
	Subnet    *netip.Prefix
	Container *string
	IfName    *string
	Network   *string
	// NotOwners, with Node and Network, selects the node's container
	// allocations of that network whose (container, ifname) is not in the
	// list: what CNI GC releases. An empty list selects every container
	// allocation; nil means no such condition.
	NotOwners []Attachment
}

// OwnedBy selects what an attachment holds on a node: the CNI spec's key,
// checked against the node that asks.
func OwnedBy(node string, a Attachment) AllocationFilter {
	return AllocationFilter{Node: &node, Network: &a.Network, Container: &a.Container, IfName: &a.IfName}
}

// SubnetFilter selects subnets; nil fields match everything.
type SubnetFilter struct {
	TOR *string
	// ForTOR selects what a node of this TOR may take addresses from: the
	// TOR's subnets, its pod's and its zone's own, as the strategies allow.
	ForTOR  *string
	Purpose *string
	CIDR    *netip.Prefix
}

// SubnetRow is a stored subnet with where it sits and its use.
type SubnetRow struct {
	Subnet
	TOR    string // empty for a pod's or zone's own subnet
	Level  Level
	Pod    string // empty for a virtual TOR and a zone's own subnet
	Zone   string
	Source string // import, cli or expand
	Used   int64  // addresses allocated
}
