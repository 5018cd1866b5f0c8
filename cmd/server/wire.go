package server

import (
	"net/netip"
	"net/url"
	"time"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

// The JSON forms of the API, version 1. Field names are stable: scripts
// and other clients read them.

// allocateBody is POST /v1/allocate.
type allocateBody struct {
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

func toAllocateBody(r alloc.Request) allocateBody {
	return allocateBody{Node: r.Node, Purposes: r.Purposes, Family: r.Family, Count: r.Count, IPs: r.IPs,
		Network: r.Network, Container: r.Container, IfName: r.IfName, PodNS: r.PodNS, PodName: r.PodName}
}

func (b allocateBody) request() alloc.Request {
	return alloc.Request{Node: b.Node, Purposes: b.Purposes, Family: b.Family, Count: b.Count, IPs: b.IPs,
		Network: b.Network, Container: b.Container, IfName: b.IfName, PodNS: b.PodNS, PodName: b.PodName}
}

// allocationJSON is one allocation.
type allocationJSON struct {
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

func toAllocationsJSON(as []topo.Allocation) []allocationJSON {
	out := make([]allocationJSON, len(as))
	for i, a := range as {
		out[i] = allocationJSON(a)
	}
	return out
}

func fromAllocationsJSON(as []allocationJSON) []topo.Allocation {
	out := make([]topo.Allocation, len(as))
	for i, a := range as {
		out[i] = topo.Allocation(a)
	}
	return out
}

// attachmentJSON is a CNI attachment key.
type attachmentJSON struct {
	Network   string `json:"network"`
	Container string `json:"container"`
	IfName    string `json:"ifname"`
}

// filterJSON is store.AllocationFilter: an absent field matches everything.
type filterJSON struct {
	Addresses []netip.Addr     `json:"addresses,omitempty"`
	Node      *string          `json:"node,omitempty"`
	TOR       *string          `json:"tor,omitempty"`
	Subnet    *netip.Prefix    `json:"subnet,omitempty"`
	Container *string          `json:"container,omitempty"`
	IfName    *string          `json:"ifname,omitempty"`
	Network   *string          `json:"network,omitempty"`
	NotOwners []attachmentJSON `json:"not_owners,omitempty"`
}

func toFilterJSON(f store.AllocationFilter) filterJSON {
	j := filterJSON{Addresses: f.Addresses, Node: f.Node, TOR: f.TOR, Subnet: f.Subnet,
		Container: f.Container, IfName: f.IfName, Network: f.Network}
	for _, o := range f.NotOwners {
		j.NotOwners = append(j.NotOwners, attachmentJSON(o))
	}
	return j
}

func (j filterJSON) filter() store.AllocationFilter {
	f := store.AllocationFilter{Addresses: j.Addresses, Node: j.Node, TOR: j.TOR, Subnet: j.Subnet,
		Container: j.Container, IfName: j.IfName, Network: j.Network}
	for _, o := range j.NotOwners {
		f.NotOwners = append(f.NotOwners, topo.Attachment(o))
	}
	return f
}

// releaseBody is POST /v1/release: what to release and the ledger's kind,
// "release" (default) or "gc".
type releaseBody struct {
	filterJSON
	Kind string `json:"kind,omitempty"`
}

// query writes a filter as URL parameters for GET /v1/allocations.
func (j filterJSON) query() url.Values {
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

// subnetJSON is a subnet with where it sits and its use.
type subnetJSON struct {
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

// torJSON is GET /v1/nodes/{id}/tor.
type torJSON struct {
	TOR string `json:"tor"`
}

// errorJSON is every error answer.
type errorJSON struct {
	Kind  string `json:"kind"`
	Error string `json:"error"`
}

func toSubnetsJSON(rows []store.SubnetRow) []subnetJSON {
	out := make([]subnetJSON, len(rows))
	for i, r := range rows {
		out[i] = subnetJSON{CIDR: r.CIDR, Purpose: r.Purpose, Gateway: r.Gateway, Exclude: r.Exclude,
			TOR: r.TOR, Pod: r.Pod, Zone: r.Zone, Source: r.Source, Used: r.Used}
		if r.Level.Rank() > 0 {
			out[i].Level = r.Level
		}
	}
	return out
}

func fromSubnetsJSON(js []subnetJSON) []store.SubnetRow {
	out := make([]store.SubnetRow, len(js))
	for i, j := range js {
		out[i] = store.SubnetRow{Subnet: topo.Subnet{CIDR: j.CIDR, Purpose: j.Purpose, Gateway: j.Gateway, Exclude: j.Exclude, Level: j.Level},
			TOR: j.TOR, Level: j.Level, Pod: j.Pod, Zone: j.Zone, Source: j.Source, Used: j.Used}
	}
	return out
}

// statusJSON is /readyz and /healthz when all is well.
type statusJSON struct {
	Status string `json:"status"`
}
