package api

import (
	"net/netip"
	"net/url"
	"time"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/topo"
)

// The JSON forms of the API, version 1. Field names are stable: scripts
// and other clients read them.

// AllocateBody is POST /v1/allocate.
type AllocateBody struct {
	Node      string         `json:"node"`
	Purposes  []topo.Purpose `json:"purposes,omitempty"`
	Family    topo.Family    `json:"family,omitempty"`
	Count     int            `json:"count,omitempty"`
	IPs       []netip.Addr   `json:"ips,omitempty"`
	Network   string         `json:"network,omitempty"`
	Container string         `json:"container,omitempty"`
	IfName    string         `json:"ifname,omitempty"`
	PodNS     string         `json:"pod_namespace,omitempty"`
	PodName   string         `json:"pod_name,omitempty"`
}

// NewAllocateBody is the body of a request.
func NewAllocateBody(r alloc.Request) AllocateBody {
	return AllocateBody{Node: r.Node, Purposes: r.Purposes, Family: r.Family, Count: r.Count, IPs: r.IPs,
		Network: r.Network, Container: r.Container, IfName: r.IfName, PodNS: r.PodNS, PodName: r.PodName}
}

// Request is the request a body asks.
func (b AllocateBody) Request() alloc.Request {
	return alloc.Request{Node: b.Node, Purposes: b.Purposes, Family: b.Family, Count: b.Count, IPs: b.IPs,
		Network: b.Network, Container: b.Container, IfName: b.IfName, PodNS: b.PodNS, PodName: b.PodName}
}

// Allocation is one allocation.
type Allocation struct {
	Address   netip.Addr   `json:"address"`
	Subnet    netip.Prefix `json:"subnet"`
	Purpose   topo.Purpose `json:"purpose"`
	Node      string       `json:"node"`
	TOR       string       `json:"tor"`
	Gateway   netip.Addr   `json:"gateway"`
	Container string       `json:"container"`
	IfName    string       `json:"ifname"`
	Network   string       `json:"network"`
	PodNS     string       `json:"pod_namespace"`
	PodName   string       `json:"pod_name"`
	At        time.Time    `json:"at,omitzero"`
}

// Allocations is the JSON form of allocations.
func Allocations(as []topo.Allocation) []Allocation {
	out := make([]Allocation, len(as))
	for i, a := range as {
		out[i] = Allocation(a)
	}
	return out
}

// Domain is the allocations a JSON list names.
func Domain(as []Allocation) []topo.Allocation {
	out := make([]topo.Allocation, len(as))
	for i, a := range as {
		out[i] = topo.Allocation(a)
	}
	return out
}

// Attachment is a CNI attachment key.
type Attachment struct {
	Network   string `json:"network"`
	Container string `json:"container"`
	IfName    string `json:"ifname"`
}

// Filter selects allocations, as topo.AllocationFilter does: an absent
// field matches everything.
type Filter struct {
	Addresses []netip.Addr  `json:"addresses,omitempty"`
	Node      *string       `json:"node,omitempty"`
	TOR       *string       `json:"tor,omitempty"`
	Subnet    *netip.Prefix `json:"subnet,omitempty"`
	Container *string       `json:"container,omitempty"`
	IfName    *string       `json:"ifname,omitempty"`
	Network   *string       `json:"network,omitempty"`
	// NotOwners, with Node and Network, selects the node's container
	// allocations of that network whose (container, ifname) is not listed:
	// what CNI GC releases. An empty list (JSON []) selects every container
	// allocation; null or absent means no such condition.
	NotOwners []Attachment `json:"not_owners"`
}

// OwnedBy selects what an attachment holds on a node: the CNI spec's key,
// checked against the node that asks (topo.OwnedBy).
func OwnedBy(node string, a topo.Attachment) Filter {
	return Filter{Node: &node, Network: &a.Network, Container: &a.Container, IfName: &a.IfName}
}

// ReleaseBody is POST /v1/release: what to release and the ledger's kind,
// "release" (default) or "gc".
type ReleaseBody struct {
	Filter
	Kind string `json:"kind,omitempty"`
}

// Query writes a filter as URL parameters for GET /v1/allocations.
func (j Filter) Query() url.Values {
	q := url.Values{}
	for _, a := range j.Addresses {
		q.Add("address", a.String())
	}
	set := func(k string, v *string) {
		if v != nil {
			q.Set(k, *v)
		}
	}
	set("node", j.Node)
	set("tor", j.TOR)
	set("container", j.Container)
	set("ifname", j.IfName)
	set("network", j.Network)
	if j.Subnet != nil {
		q.Set("subnet", j.Subnet.String())
	}
	return q
}

// Subnet is a subnet with where it sits and its use.
type Subnet struct {
	CIDR    netip.Prefix   `json:"cidr"`
	Purpose topo.Purpose   `json:"purpose"`
	Gateway netip.Addr     `json:"gateway"`
	Exclude []netip.Prefix `json:"exclude,omitempty"`
	TOR     string         `json:"tor"`
	Level   topo.Level     `json:"level,omitempty"` // pod or zone: their own subnets
	Pod     string         `json:"pod"`
	Zone    string         `json:"zone"`
	Source  string         `json:"source"`
	Used    int64          `json:"used"`
}

// Use is the part of a subnet the shared rules read (alloc.CheckRoom).
func (j Subnet) Use() alloc.SubnetUse {
	return alloc.SubnetUse{Subnet: topo.Subnet{CIDR: j.CIDR, Purpose: j.Purpose, Gateway: j.Gateway, Exclude: j.Exclude, Level: j.Level},
		Zone: j.Zone, Pod: j.Pod, TOR: j.TOR, Level: j.Level, Used: j.Used}
}

// SubnetQuery selects subnets for GET /v1/subnets; nil fields match
// everything.
type SubnetQuery struct {
	TOR, Purpose *string
	// ForTOR selects what a node on that TOR may allocate from: the TOR's
	// subnets and its pod's and zone's pools.
	ForTOR *string
	CIDR   *netip.Prefix
}

// Values writes the query as URL parameters.
func (q SubnetQuery) Values() url.Values {
	v := url.Values{}
	if q.TOR != nil {
		v.Set("tor", *q.TOR)
	}
	if q.ForTOR != nil {
		v.Set("for_tor", *q.ForTOR)
	}
	if q.Purpose != nil {
		v.Set("purpose", *q.Purpose)
	}
	if q.CIDR != nil {
		v.Set("cidr", q.CIDR.String())
	}
	return v
}

// TOR is GET /v1/nodes/{id}/tor.
type TOR struct {
	TOR string `json:"tor"`
}

// Error is every error answer.
type Error struct {
	Kind  string `json:"kind"`
	Error string `json:"error"`
}

// Status is /readyz and /healthz when all is well.
type Status struct {
	Status string `json:"status"`
}

// Routes is GET /v1/routes?level=tor&id=ID: the aggregated prefixes.
type Routes struct {
	Prefixes []netip.Prefix `json:"prefixes"`
}
