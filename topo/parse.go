package topo

import (
	"fmt"
	"net/netip"

	"gopkg.in/yaml.v3"
)

// ParseTopology decodes and validates a topology file (the seed's section
// 7.1 format). file names the source in errors. Every problem is reported,
// each with file, line and field, as an Errors value. A subnet without a
// gateway gets the first usable address (network + 1).
func ParseTopology(file string, data []byte) (*Topology, error) {
	f, err := ParseTopologyFile(file, data)
	if err != nil {
		return nil, err
	}
	return f.Topology, nil
}

func decodeTopology(file string, data []byte) (*Topology, *positions, error) {
	d := newDecoder(file)
	t := &Topology{}
	if root := d.document(data); root != nil {
		top := d.fields(root, "", "topology")
		if n, ok := top["topology"]; ok {
			fs := d.fields(n, "", "zones", "strategies", "expansion")
			if e, ok := fs["expansion"]; ok {
				t.Expansion = d.expansion(e, "expansion")
			}
			if zs, ok := fs["zones"]; ok {
				for i, z := range d.list(zs, "zones") {
					t.Zones = append(t.Zones, d.zone(z, fmt.Sprintf("zones[%d]", i)))
				}
			}
			if ss, ok := fs["strategies"]; ok {
				t.Strategies = d.strategies(ss, "strategies")
			}
		} else if top != nil {
			d.fail(root.Line, "topology", "missing: the file must start with topology: and a zones: list")
		}
	}
	if err := d.errs.err(); err != nil {
		return nil, nil, err
	}
	return t, d.pos, nil
}

func (d *decoder) zone(n *yaml.Node, field string) Zone {
	var z Zone
	d.pos.set(field, n.Line)
	fs := d.fields(n, field, "id", "name", "cidr", "cidrs", "pods", "subnets")
	z.ID = d.optStr(fs, field, "id")
	z.Name = d.optStr(fs, field, "name")
	z.CIDRs = d.cidrs(fs, field)
	if ps, ok := fs["pods"]; ok {
		for i, p := range d.list(ps, field+".pods") {
			z.Pods = append(z.Pods, d.pod(p, fmt.Sprintf("%s.pods[%d]", field, i)))
		}
	}
	z.Subnets = d.subnets(fs, field)
	return z
}

func (d *decoder) pod(n *yaml.Node, field string) Pod {
	var p Pod
	d.pos.set(field, n.Line)
	fs := d.fields(n, field, "id", "name", "cidr", "cidrs", "tors", "subnets")
	p.ID = d.optStr(fs, field, "id")
	p.Name = d.optStr(fs, field, "name")
	p.CIDRs = d.cidrs(fs, field)
	if ts, ok := fs["tors"]; ok {
		for i, t := range d.list(ts, field+".tors") {
			p.TORs = append(p.TORs, d.tor(t, fmt.Sprintf("%s.tors[%d]", field, i)))
		}
	}
	p.Subnets = d.subnets(fs, field)
	return p
}

func (d *decoder) tor(n *yaml.Node, field string) TOR {
	var t TOR
	d.pos.set(field, n.Line)
	fs := d.fields(n, field, "id", "name", "location", "subnets")
	t.ID = d.optStr(fs, field, "id")
	t.Name = d.optStr(fs, field, "name")
	t.Location = d.optStr(fs, field, "location")
	t.Subnets = d.subnets(fs, field)
	return t
}

// subnets reads the subnets: list of a zone, pod or TOR.
func (d *decoder) subnets(fs map[string]*yaml.Node, field string) []Subnet {
	ss, ok := fs["subnets"]
	if !ok {
		return nil
	}
	var out []Subnet
	for i, s := range d.list(ss, field+".subnets") {
		out = append(out, d.subnet(s, fmt.Sprintf("%s.subnets[%d]", field, i)))
	}
	return out
}

// strategies reads the strategies: map, purpose -> level.
func (d *decoder) strategies(n *yaml.Node, field string) map[Purpose]Level {
	if !d.kind(n, field, yaml.MappingNode) {
		return nil
	}
	out := map[Purpose]Level{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		kf := joinField(field, fieldKey(k.Value))
		d.pos.set(kf, k.Line)
		if k.Kind != yaml.ScalarNode {
			d.fail(k.Line, field, "keys must be plain names")
			continue
		}
		if _, dup := out[k.Value]; dup {
			d.fail(k.Line, kf, "duplicate key %s: write each purpose once", Quote(k.Value))
			continue
		}
		s, ok := d.str(v, kf)
		if !ok {
			continue
		}
		l, err := ParseLevel(s)
		if err != nil {
			d.fail(v.Line, kf, "%v", err)
			continue
		}
		out[k.Value] = l
	}
	return out
}

func (d *decoder) subnet(n *yaml.Node, field string) Subnet {
	var s Subnet
	d.pos.set(field, n.Line)
	fs := d.fields(n, field, "cidr", "purpose", "gateway", "exclude", "expanded")
	if v, ok := fs["cidr"]; ok {
		s.CIDR, _ = d.prefix(v, field+".cidr")
	}
	s.Purpose = d.optStr(fs, field, "purpose")
	if v, ok := fs["gateway"]; ok {
		s.Gateway, _ = d.addr(v, field+".gateway")
	} else if s.CIDR.IsValid() {
		s.Gateway = DefaultGateway(s.CIDR)
	}
	if v, ok := fs["exclude"]; ok {
		s.Exclude = d.excludes(v, field+".exclude")
	}
	if v, ok := fs["expanded"]; ok {
		s.Expanded = d.flag(v, field+".expanded")
	}
	return s
}

// optStr returns the string under key, or "" when absent.
func (d *decoder) optStr(fs map[string]*yaml.Node, field, key string) string {
	v, ok := fs[key]
	if !ok {
		return ""
	}
	s, _ := d.str(v, joinField(field, key))
	return s
}

// cidrs reads either cidr: (one prefix) or cidrs: (a list), not both.
func (d *decoder) cidrs(fs map[string]*yaml.Node, field string) []netip.Prefix {
	one, hasOne := fs["cidr"]
	many, hasMany := fs["cidrs"]
	switch {
	case hasOne && hasMany:
		d.fail(many.Line, field+".cidrs", "cidr and cidrs are both set: use cidr for one prefix or cidrs for a list, not both")
		return nil
	case hasOne:
		if p, ok := d.prefix(one, field+".cidr"); ok {
			return []netip.Prefix{p}
		}
	case hasMany:
		var out []netip.Prefix
		for i, item := range d.list(many, field+".cidrs") {
			f := fmt.Sprintf("%s.cidrs[%d]", field, i)
			d.pos.set(f, item.Line)
			if p, ok := d.prefix(item, f); ok {
				out = append(out, p)
			}
		}
		return out
	}
	return nil
}
