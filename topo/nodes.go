package topo

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

var (
	// labelKeyPattern is a Kubernetes-style label key: an optional DNS
	// prefix and "/", then a name of at most 63 characters.
	labelKeyPattern = lazyRegexp(`^([a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?/)?[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$`)
	// labelValuePattern is a Kubernetes-style label value, possibly empty.
	labelValuePattern = lazyRegexp(`^([A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?)?$`)
)

// ParseNodes decodes and validates a nodes file (the seed's section 7.2
// format): a single node: mapping or a nodes: list of them. Every problem is
// reported with file, line and field as an Errors value. Whether each
// node's TOR exists is checked by ParseNodesOn.
func ParseNodes(file string, data []byte) ([]Node, error) {
	return ParseNodesOn(file, data, nil)
}

// ParseNodesOn is ParseNodes that also reports, at its line, every tor_id
// for which knownTOR is false. A nil knownTOR checks nothing.
func ParseNodesOn(file string, data []byte, knownTOR func(id string) (bool, error)) ([]Node, error) {
	d := newDecoder(file)
	var nodes []Node
	if root := d.document(data); root != nil {
		fs := d.fields(root, "", "node", "nodes")
		one, hasOne := fs["node"]
		many, hasMany := fs["nodes"]
		switch {
		case hasOne && hasMany:
			d.fail(many.Line, "nodes", "node and nodes are both set: use node for one node or nodes for a list, not both")
		case hasOne:
			nodes = append(nodes, d.node(one, "node"))
		case hasMany:
			for i, n := range d.list(many, "nodes") {
				nodes = append(nodes, d.node(n, fmt.Sprintf("nodes[%d]", i)))
			}
		case fs != nil:
			d.fail(root.Line, "nodes", "missing: the file must hold node: (one node) or nodes: (a list)")
		}
	}
	if err := d.errs.err(); err != nil {
		return nil, err
	}
	v := &validator{pos: d.pos}
	seen := map[string]string{}
	for i, n := range nodes {
		f := fmt.Sprintf("nodes[%d]", i)
		if len(nodes) == 1 && d.pos.has("node") {
			f = "node"
		}
		v.node(f, n)
		if knownTOR != nil && n.TOR != "" {
			ok, err := knownTOR(n.TOR)
			if err != nil {
				return nil, fmt.Errorf("look up TOR %s: %w", n.TOR, err)
			}
			if !ok {
				e := v.pos.errorf(f+".tor_id", "node %s: unknown TOR %s: import it with `netipam topo import` or fix tor_id", idText(n.ID), Quote(n.TOR))
				e.Kind = ErrNotFound
				v.errs = append(v.errs, e)
			}
		}
		if first, dup := seen[n.ID]; dup && n.ID != "" {
			v.add(f+".id", "duplicate node id %s: already registered at %s", Quote(n.ID), v.ref(first))
		}
		seen[n.ID] = f
	}
	if err := v.errs.err(); err != nil {
		return nil, err
	}
	return nodes, nil
}

func (d *decoder) node(n *yaml.Node, field string) Node {
	var nd Node
	d.pos.set(field, n.Line)
	fs := d.fields(n, field, "id", "name", "tor_id", "labels", "subnet_preferences")
	nd.ID = d.optStr(fs, field, "id")
	nd.Name = d.optStr(fs, field, "name")
	nd.TOR = d.optStr(fs, field, "tor_id")
	if l, ok := fs["labels"]; ok {
		nd.Labels = d.labels(l, field+".labels")
	}
	if ps, ok := fs["subnet_preferences"]; ok {
		for i, p := range d.list(ps, field+".subnet_preferences") {
			nd.Preferences = append(nd.Preferences, d.preference(p, fmt.Sprintf("%s.subnet_preferences[%d]", field, i)))
		}
	}
	return nd
}

// labels reads a string map; an empty map is nil.
func (d *decoder) labels(n *yaml.Node, field string) map[string]string {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if !d.kind(n, field, yaml.MappingNode) {
		return nil
	}
	var out map[string]string
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		key, ok := d.str(k, field)
		if !ok {
			continue
		}
		kf := field + "." + fieldKey(key)
		d.pos.set(kf, k.Line)
		s, ok := d.str(val, kf)
		if !ok {
			continue
		}
		if _, dup := out[key]; dup {
			d.fail(k.Line, kf, "duplicate label %s: write each label once", Quote(key))
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		out[key] = s
	}
	return out
}

func (d *decoder) preference(n *yaml.Node, field string) Preference {
	var p Preference
	d.pos.set(field, n.Line)
	fs := d.fields(n, field, "purpose", "min_available")
	p.Purpose = d.optStr(fs, field, "purpose")
	if v, ok := fs["min_available"]; ok {
		f := field + ".min_available"
		if v.Kind != yaml.ScalarNode || v.Tag != "!!int" || v.Decode(&p.MinAvailable) != nil {
			d.fail(v.Line, f, "want a whole number of addresses, got %s", Quote(v.Value))
		}
	}
	return p
}

// ValidateNode checks one node as the CLI's node register flags give it:
// id pattern, TOR present, label keys and values, preferences. Fields are
// named as in the nodes file (id, tor_id, labels.KEY, ...).
func ValidateNode(n Node) error {
	v := &validator{}
	v.node("", n)
	return v.errs.err()
}

func (v *validator) node(base string, n Node) {
	f := func(name string) string { return joinField(base, name) }
	switch {
	case n.ID == "":
		v.add(f("id"), "missing: every node needs an id")
	case !idPattern().MatchString(n.ID):
		v.add(f("id"), "invalid node id %s: use letters, digits, '.', '_' and '-', starting with a letter or digit, at most 63 characters", Quote(n.ID))
	}
	v.text(f("name"), "name", n.Name)
	switch {
	case n.TOR == "":
		v.add(f("tor_id"), "missing: every node needs the id of its TOR")
	case n.TOR == VirtualTOR(n.ID):
		// the node's own virtual TOR: register without a TOR
	case !idPattern().MatchString(n.TOR):
		v.add(f("tor_id"), "invalid TOR id %s: use letters, digits, '.', '_' and '-', starting with a letter or digit", Quote(n.TOR))
	case strings.HasPrefix(n.TOR, VirtualPrefix):
		v.add(f("tor_id"), "TOR id %s is the virtual TOR of another node: give the id of a declared TOR, or none for a virtual TOR of the node's own", Quote(n.TOR))
	}
	keys := make([]string, 0, len(n.Labels))
	for k := range n.Labels {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		lf := f("labels." + fieldKey(k))
		if !labelKeyPattern().MatchString(k) {
			v.add(lf, "invalid label key %s: use an optional dns.prefix/ and a name of letters, digits, '.', '_' and '-' (at most 63 characters)", Quote(k))
		}
		if val := n.Labels[k]; !labelValuePattern().MatchString(val) {
			v.add(lf, "invalid label value %s: use at most 63 letters, digits, '.', '_' and '-', starting and ending with a letter or digit", Quote(val))
		}
	}
	seen := map[string]bool{}
	for i, p := range n.Preferences {
		pf := f(fmt.Sprintf("subnet_preferences[%d]", i))
		switch {
		case p.Purpose == "":
			v.add(pf+".purpose", "missing: name the purpose, such as default or storage")
		case !purposePattern().MatchString(p.Purpose):
			v.add(pf+".purpose", "invalid purpose %s: use lower case letters, digits, '_' and '-', starting with a letter", Quote(p.Purpose))
		case seen[p.Purpose]:
			v.add(pf+".purpose", "duplicate preference for purpose %s: give each purpose once", Quote(p.Purpose))
		}
		seen[p.Purpose] = true
		if p.MinAvailable < 0 {
			v.add(pf+".min_available", "min_available is %d: it must be zero or more", p.MinAvailable)
		}
	}
}
