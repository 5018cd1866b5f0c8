package topo

import (
	"fmt"
	"maps"
	"net/netip"
)

// File is a parsed, validated topology file that remembers where each
// field was, so that checks of the topology it would make (Merge) can name
// file, line and field.
type File struct {
	*Topology
	pos *positions
}

// ParseTopologyFile is ParseTopology keeping the positions of the fields.
func ParseTopologyFile(file string, data []byte) (*File, error) {
	t, pos, err := decodeTopology(file, data)
	if err != nil {
		return nil, err
	}
	if err := t.validate(pos); err != nil {
		return nil, err
	}
	return &File{Topology: t, pos: pos}, nil
}

// FileOf wraps a topology built in code (no file, no lines).
func FileOf(t *Topology) *File {
	return &File{Topology: t, pos: newPositions("")}
}

// Merge builds the topology the store would hold after importing f over
// stored, and validates it whole with the rules of a file. With prune it is
// f itself. Without, every stored zone, pod, TOR and subnet f does not
// declare is kept where it is stored: a kept pod under its zone, a kept TOR
// under its pod, a kept subnet under its TOR, wherever f puts that zone,
// pod or TOR now. So a file that moves a TOR into another pod, or shrinks a
// pod's prefixes, is refused when what the store keeps would end up
// outside, overlapping, or otherwise invalid; every offending object is
// named, those from the store as "stored subnet 10.244.5.0/24 (tor tor-1)".
func (f *File) Merge(stored *Topology, prune bool) (*Topology, error) {
	m := clone(f.Topology)
	pos := f.pos.withoutStored()
	if !prune && stored != nil {
		mergeStored(m, stored, pos)
		if m.Expansion == nil {
			m.Expansion = stored.Expansion // a file without expansion: keeps the stored settings
		}
	}
	if err := m.validate(pos); err != nil {
		return nil, err
	}
	return m, nil
}

// withoutStored copies the positions with an empty stored map.
func (p *positions) withoutStored() *positions {
	if p == nil {
		return newPositions("")
	}
	c := *p
	c.stored = map[string]string{}
	return &c
}

// clone copies a topology deeply enough that appending to any of its lists
// leaves t as it was.
func clone(t *Topology) *Topology {
	m := &Topology{Zones: make([]Zone, len(t.Zones)), Strategies: maps.Clone(t.Strategies), Expansion: t.Expansion}
	for i, z := range t.Zones {
		z.Pods = append([]Pod(nil), z.Pods...)
		z.Subnets = append([]Subnet(nil), z.Subnets...)
		for j, p := range z.Pods {
			p.Subnets = append([]Subnet(nil), p.Subnets...)
			p.TORs = append([]TOR(nil), p.TORs...)
			for k, r := range p.TORs {
				r.Subnets = append([]Subnet(nil), r.Subnets...)
				p.TORs[k] = r
			}
			z.Pods[j] = p
		}
		m.Zones[i] = z
	}
	return m
}

// place is where an entity sits in a merged topology, by list index.
type place struct{ zone, pod, tor int }

func (p place) zoneField() string { return fmt.Sprintf("zones[%d]", p.zone) }
func (p place) podField() string  { return fmt.Sprintf("%s.pods[%d]", p.zoneField(), p.pod) }
func (p place) torField() string  { return fmt.Sprintf("%s.tors[%d]", p.podField(), p.tor) }

// mergeStored appends to m what stored holds and m does not declare,
// recording in pos how to name each kept entity. Linear: every lookup is a
// map.
func mergeStored(m, stored *Topology, pos *positions) {
	zones, pods, tors := map[string]place{}, map[string]place{}, map[string]place{}
	subnets := map[netip.Prefix]bool{}
	for i, z := range m.Zones {
		zones[z.ID] = place{zone: i}
		for _, s := range z.Subnets {
			subnets[s.CIDR] = true
		}
		for j, p := range z.Pods {
			pods[p.ID] = place{zone: i, pod: j}
			for _, s := range p.Subnets {
				subnets[s.CIDR] = true
			}
			for k, r := range p.TORs {
				tors[r.ID] = place{zone: i, pod: j, tor: k}
				for _, s := range r.Subnets {
					subnets[s.CIDR] = true
				}
			}
		}
	}
	for _, z := range stored.Zones {
		zp, ok := zones[z.ID]
		if !ok {
			m.Zones = append(m.Zones, Zone{ID: z.ID, Name: z.Name, CIDRs: z.CIDRs})
			zp = place{zone: len(m.Zones) - 1}
			zones[z.ID] = zp
			pos.stored[zp.zoneField()] = "stored zone " + z.ID
		}
		for _, p := range z.Pods {
			pp, ok := pods[p.ID]
			if !ok {
				mz := &m.Zones[zp.zone]
				mz.Pods = append(mz.Pods, Pod{ID: p.ID, Name: p.Name, CIDRs: p.CIDRs})
				pp = place{zone: zp.zone, pod: len(mz.Pods) - 1}
				pods[p.ID] = pp
				pos.stored[pp.podField()] = fmt.Sprintf("stored pod %s (zone %s)", p.ID, z.ID)
			}
			for _, r := range p.TORs {
				tp, ok := tors[r.ID]
				if !ok {
					mp := &m.Zones[pp.zone].Pods[pp.pod]
					mp.TORs = append(mp.TORs, TOR{ID: r.ID, Name: r.Name, Location: r.Location})
					tp = place{zone: pp.zone, pod: pp.pod, tor: len(mp.TORs) - 1}
					tors[r.ID] = tp
					pos.stored[tp.torField()] = fmt.Sprintf("stored tor %s (pod %s)", r.ID, p.ID)
				}
				mt := &m.Zones[tp.zone].Pods[tp.pod].TORs[tp.tor]
				mergeSubnets(&mt.Subnets, r.Subnets, subnets, tp.torField(), "tor "+r.ID, pos)
			}
			mp := &m.Zones[pp.zone].Pods[pp.pod]
			mergeSubnets(&mp.Subnets, p.Subnets, subnets, pp.podField(), "pod "+p.ID, pos)
		}
		mergeSubnets(&m.Zones[zp.zone].Subnets, z.Subnets, subnets, zp.zoneField(), "zone "+z.ID, pos)
	}
	mergeStrategies(m, stored)
}

// mergeSubnets appends to *dst the stored subnets f does not declare
// anywhere (seen), naming each kept one in pos as "stored subnet
// 10.244.5.0/24 (tor tor-1)". field is the owner's field, owner its kind
// and id.
func mergeSubnets(dst *[]Subnet, stored []Subnet, seen map[netip.Prefix]bool, field, owner string, pos *positions) {
	for _, s := range stored {
		if seen[s.CIDR] {
			continue
		}
		*dst = append(*dst, s)
		seen[s.CIDR] = true
		f := fmt.Sprintf("%s.subnets[%d]", field, len(*dst)-1)
		pos.stored[f] = fmt.Sprintf("stored subnet %s (%s)", s.CIDR, owner)
	}
}

// mergeStrategies keeps the stored strategies of purposes m does not pin.
func mergeStrategies(m, stored *Topology) {
	for p, l := range stored.Strategies {
		if _, ok := m.Strategies[p]; ok {
			continue
		}
		if m.Strategies == nil {
			m.Strategies = map[Purpose]Level{}
		}
		m.Strategies[p] = l
	}
}
