package topo

import (
	"net/netip"
	"time"
)

// Purpose names what a subnet is for: "default", "storage", "management" or
// any custom name matching PurposePattern.
type Purpose = string

// Well-known purposes.
const (
	PurposeDefault    Purpose = "default"
	PurposeStorage    Purpose = "storage"
	PurposeManagement Purpose = "management"
)

// Topology is the whole declared network: what a topology file holds.
type Topology struct {
	Zones []Zone
	// Strategies pins, per purpose, the one level a node takes that
	// purpose's addresses from; a purpose without one tries its TOR, then
	// its pod, then its zone (levels.go).
	Strategies map[Purpose]Level
	// Expansion holds the file's expansion: settings; nil means the
	// defaults (see Expansion.Resolved).
	Expansion *Expansion
}

// Zone is an availability zone or data centre with one or more prefixes.
type Zone struct {
	ID    string
	Name  string
	CIDRs []netip.Prefix
	Pods  []Pod
	// Subnets are the zone's own pool: what nodes of every pod of the
	// zone take from once their TOR's and pod's subnets are full.
	Subnets []Subnet
}

// Pod is a group of racks sharing an uplink. Its prefixes lie inside the
// zone's prefix of the same family, where the zone declares one.
type Pod struct {
	ID    string
	Name  string
	CIDRs []netip.Prefix
	TORs  []TOR
	// Subnets are the pod's own pool, inside its prefixes: what nodes of
	// every TOR of the pod take from once their TOR's subnets are full.
	Subnets []Subnet
}

// TOR is a top-of-rack switch; every node behind it takes addresses from the
// TOR's subnets.
type TOR struct {
	ID       string
	Name     string
	Location string
	Subnets  []Subnet
}

// Subnet is one prefix owned by a TOR for one purpose.
type Subnet struct {
	CIDR    netip.Prefix
	Purpose Purpose
	// Gateway is never handed out. Zero means none.
	Gateway netip.Addr
	// Exclude lists prefixes (a single address is a /32 or /128) that are
	// never handed out.
	Exclude []netip.Prefix
	// Level says, in the subnets listed for a node's allocations, whose
	// pool the subnet is: the node's TOR (LevelTOR, or empty), its pod's
	// or its zone's. In a Topology the list that holds the subnet says it.
	Level Level
	// Expanded marks a block netipam claimed for the TOR (subnet expand),
	// written by topo export as expanded: true.
	Expanded bool
}

// Node is a server behind a TOR.
type Node struct {
	ID     string
	Name   string
	TOR    string
	Labels map[string]string
	// Preferences are the seed's subnet_preferences: kept and shown, used
	// by STATUS-style health checks.
	Preferences []Preference
}

// Preference asks that a node keep at least MinAvailable free addresses of
// a purpose.
type Preference struct {
	Purpose      Purpose
	MinAvailable int
}

// Allocation is one address held by a node (and optionally a container).
type Allocation struct {
	Address   netip.Addr
	Subnet    netip.Prefix
	Purpose   Purpose
	Node      string
	TOR       string
	Gateway   netip.Addr
	Container string
	IfName    string
	// Network is the CNI network (its config's name) the address serves.
	Network string
	PodNS   string
	PodName string
	At      time.Time
}

// Family is the IP family of an address or prefix: 4 or 6.
type Family int

// Families.
const (
	IPv4 Family = 4
	IPv6 Family = 6
)

// FamilyOf returns the family of a.
func FamilyOf(a netip.Addr) Family {
	if a.Is4() || a.Is4In6() {
		return IPv4
	}
	return IPv6
}

// SubnetUse says that a node holds addresses of a subnet (of one purpose)
// in some network, and First, the ledger's order of the earliest of them:
// lower is older.
type SubnetUse struct {
	Subnet  netip.Prefix
	Purpose Purpose
	First   int64
}
