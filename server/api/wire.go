package api

import (
	"net/netip"
	"net/url"

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

// Allocations are sent in topo.Allocation's one JSON form (see
// topo/allocation_json.go): the API has no form of its own for them.

// NonNil gives a list that is written [] when empty, never null.
func NonNil(as []topo.Allocation) []topo.Allocation {
	if as == nil {
		return []topo.Allocation{}
	}
	return as
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

// FilterOf is a filter in the API's form.
func FilterOf(f topo.AllocationFilter) Filter {
	j := Filter{Addresses: f.Addresses, Node: f.Node, TOR: f.TOR, Subnet: f.Subnet,
		Container: f.Container, IfName: f.IfName, Network: f.Network}
	if f.NotOwners != nil { // empty is not absent: see NotOwners
		j.NotOwners = make([]Attachment, 0, len(f.NotOwners))
	}
	for _, o := range f.NotOwners {
		j.NotOwners = append(j.NotOwners, Attachment(o))
	}
	return j
}

// Domain is the filter the API's form names.
func (j Filter) Domain() topo.AllocationFilter {
	f := topo.AllocationFilter{Addresses: j.Addresses, Node: j.Node, TOR: j.TOR, Subnet: j.Subnet,
		Container: j.Container, IfName: j.IfName, Network: j.Network}
	if j.NotOwners != nil { // empty is not absent: see NotOwners
		f.NotOwners = make([]topo.Attachment, 0, len(j.NotOwners))
	}
	for _, o := range j.NotOwners {
		f.NotOwners = append(f.NotOwners, topo.Attachment(o))
	}
	return f
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

// Subnets is the JSON form of subnet rows.
func Subnets(rows []topo.SubnetRow) []Subnet {
	out := make([]Subnet, len(rows))
	for i, r := range rows {
		out[i] = Subnet{CIDR: r.CIDR, Purpose: r.Purpose, Gateway: r.Gateway, Exclude: r.Exclude,
			TOR: r.TOR, Pod: r.Pod, Zone: r.Zone, Source: r.Source, Used: r.Used}
		if r.Level.Rank() > 0 {
			out[i].Level = r.Level
		}
	}
	return out
}

// Row is the subnet row the JSON form names.
func (j Subnet) Row() topo.SubnetRow {
	return topo.SubnetRow{Subnet: topo.Subnet{CIDR: j.CIDR, Purpose: j.Purpose, Gateway: j.Gateway, Exclude: j.Exclude, Level: j.Level},
		TOR: j.TOR, Level: j.Level, Pod: j.Pod, Zone: j.Zone, Source: j.Source, Used: j.Used}
}

// SubnetValues writes a subnet filter as URL parameters for GET
// /v1/subnets.
func SubnetValues(q topo.SubnetFilter) url.Values {
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

// Error is every error answer. An error that is a list of problems found
// in one input (topo.Errors, such as a file's) lists them in Problems as
// well, each with its kind, so that a client gives back the same list.
type Error struct {
	Kind     string    `json:"kind"`
	Error    string    `json:"error"`
	Problems []Problem `json:"problems,omitempty"`
}

// Problem is one problem of an Error; no kind: invalid input.
type Problem struct {
	Kind  string `json:"kind,omitempty"`
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
