package server

import (
	"github.com/netipam/netipam/cmd/server/api"
	"github.com/netipam/netipam/topo"
)

// The JSON forms of the API live in package api (shared with the light
// client the CNI plugin uses); these are their names here and the
// conversions to and from the store's types.
type (
	allocateBody   = api.AllocateBody
	allocationJSON = api.Allocation
	attachmentJSON = api.Attachment
	filterJSON     = api.Filter
	releaseBody    = api.ReleaseBody
	subnetJSON     = api.Subnet
	torJSON        = api.TOR
	errorJSON      = api.Error
	statusJSON     = api.Status
)

func toAllocationsJSON(as []topo.Allocation) []allocationJSON { return api.Allocations(as) }

func fromAllocationsJSON(as []allocationJSON) []topo.Allocation { return api.Domain(as) }

// toFilterJSON is a store filter in the API's form.
func toFilterJSON(f topo.AllocationFilter) filterJSON {
	j := filterJSON{Addresses: f.Addresses, Node: f.Node, TOR: f.TOR, Subnet: f.Subnet,
		Container: f.Container, IfName: f.IfName, Network: f.Network}
	if f.NotOwners != nil { // empty is not absent: see api.Filter
		j.NotOwners = make([]attachmentJSON, 0, len(f.NotOwners))
	}
	for _, o := range f.NotOwners {
		j.NotOwners = append(j.NotOwners, attachmentJSON(o))
	}
	return j
}

// StoreFilter is the store filter an API filter names.
func StoreFilter(j api.Filter) topo.AllocationFilter {
	f := topo.AllocationFilter{Addresses: j.Addresses, Node: j.Node, TOR: j.TOR, Subnet: j.Subnet,
		Container: j.Container, IfName: j.IfName, Network: j.Network}
	if j.NotOwners != nil { // empty is not absent: see api.Filter
		f.NotOwners = make([]topo.Attachment, 0, len(j.NotOwners))
	}
	for _, o := range j.NotOwners {
		f.NotOwners = append(f.NotOwners, topo.Attachment(o))
	}
	return f
}

func toSubnetsJSON(rows []topo.SubnetRow) []subnetJSON {
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

func fromSubnetsJSON(js []subnetJSON) []topo.SubnetRow {
	out := make([]topo.SubnetRow, len(js))
	for i, j := range js {
		out[i] = topo.SubnetRow{Subnet: topo.Subnet{CIDR: j.CIDR, Purpose: j.Purpose, Gateway: j.Gateway, Exclude: j.Exclude, Level: j.Level},
			TOR: j.TOR, Level: j.Level, Pod: j.Pod, Zone: j.Zone, Source: j.Source, Used: j.Used}
	}
	return out
}
