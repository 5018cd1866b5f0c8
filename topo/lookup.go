package topo

import (
	"net/netip"
)

// TORRef is a TOR with the zone and pod that hold it.
type TORRef struct {
	Zone, Pod string
	TOR       TOR
}

// SubnetRef is a subnet with the zone, pod and TOR that hold it.
type SubnetRef struct {
	Zone, Pod, TOR string
	Subnet         Subnet
	// Level is the subnet's owner: its TOR (empty), or, with TOR empty,
	// its pod's or zone's own pool.
	Level Level
}

// Owner names the subnet's owner for a message: "tor tor-1", "pod pod-a"
// or "zone zone-a".
func (r SubnetRef) Owner() string {
	switch r.Level {
	case LevelPod:
		return "pod " + r.Pod
	case LevelZone:
		return "zone " + r.Zone
	}
	return "tor " + r.TOR
}

// TORs returns every TOR in file order.
func (t *Topology) TORs() []TORRef {
	var out []TORRef
	for _, z := range t.Zones {
		for _, p := range z.Pods {
			for _, r := range p.TORs {
				out = append(out, TORRef{Zone: z.ID, Pod: p.ID, TOR: r})
			}
		}
	}
	return out
}

// FindTOR returns the TOR with the given id.
func (t *Topology) FindTOR(id string) (TORRef, bool) {
	for _, z := range t.Zones {
		for _, p := range z.Pods {
			for _, r := range p.TORs {
				if r.ID == id {
					return TORRef{Zone: z.ID, Pod: p.ID, TOR: r}, true
				}
			}
		}
	}
	return TORRef{}, false
}

// Subnets returns every TOR subnet in file order.
func (t *Topology) Subnets() []SubnetRef {
	var out []SubnetRef
	for _, r := range t.TORs() {
		for _, s := range r.TOR.Subnets {
			out = append(out, SubnetRef{Zone: r.Zone, Pod: r.Pod, TOR: r.TOR.ID, Subnet: s})
		}
	}
	return out
}

// FindSubnet returns the subnet declared with exactly the prefix p.
func (t *Topology) FindSubnet(p netip.Prefix) (SubnetRef, bool) {
	for _, s := range t.Subnets() {
		if s.Subnet.CIDR == p {
			return s, true
		}
	}
	return SubnetRef{}, false
}

// PodOf returns the pod that holds a TOR.
func (t *Topology) PodOf(tor string) (Pod, bool) {
	for _, z := range t.Zones {
		for _, p := range z.Pods {
			for _, r := range p.TORs {
				if r.ID == tor {
					return p, true
				}
			}
		}
	}
	return Pod{}, false
}
