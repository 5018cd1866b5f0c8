package topo

import (
	"bytes"
	"fmt"
	"net/netip"

	"gopkg.in/yaml.v3"
)

// The file shapes, in the order keys are written.
type (
	fileTopology struct {
		Topology struct {
			Expansion  *fileExpansion    `yaml:"expansion,omitempty"`
			Zones      []fileZone        `yaml:"zones"`
			Strategies map[string]string `yaml:"strategies,omitempty"`
		} `yaml:"topology"`
	}
	fileZone struct {
		ID      string       `yaml:"id"`
		Name    string       `yaml:"name,omitempty"`
		CIDR    string       `yaml:"cidr,omitempty"`
		CIDRs   []string     `yaml:"cidrs,omitempty,flow"`
		Subnets []fileSubnet `yaml:"subnets,omitempty"`
		Pods    []filePod    `yaml:"pods,omitempty"`
	}
	filePod struct {
		ID      string       `yaml:"id"`
		Name    string       `yaml:"name,omitempty"`
		CIDR    string       `yaml:"cidr,omitempty"`
		CIDRs   []string     `yaml:"cidrs,omitempty,flow"`
		Subnets []fileSubnet `yaml:"subnets,omitempty"`
		TORs    []fileTOR    `yaml:"tors,omitempty"`
	}
	fileTOR struct {
		ID       string       `yaml:"id"`
		Name     string       `yaml:"name,omitempty"`
		Location string       `yaml:"location,omitempty"`
		Subnets  []fileSubnet `yaml:"subnets,omitempty"`
	}
	fileSubnet struct {
		CIDR     string   `yaml:"cidr"`
		Purpose  string   `yaml:"purpose"`
		Gateway  string   `yaml:"gateway,omitempty"`
		Exclude  []string `yaml:"exclude,omitempty,flow"`
		Expanded bool     `yaml:"expanded,omitempty"`
	}
	fileNodes struct {
		Nodes []fileNode `yaml:"nodes"`
	}
	fileNode struct {
		ID          string            `yaml:"id"`
		Name        string            `yaml:"name,omitempty"`
		TOR         string            `yaml:"tor_id"`
		Labels      map[string]string `yaml:"labels,omitempty"`
		Preferences []filePreference  `yaml:"subnet_preferences,omitempty"`
	}
	filePreference struct {
		Purpose      string `yaml:"purpose"`
		MinAvailable int    `yaml:"min_available"`
	}
)

// MarshalTopology writes t in the topology file format: cidr for a lone
// prefix, cidrs for several, the gateway always (when set), single-address
// excludes as addresses. ParseTopology of the result equals a parsed t.
func MarshalTopology(t *Topology) ([]byte, error) {
	var f fileTopology
	f.Topology.Zones = []fileZone{}
	f.Topology.Expansion = expansionFields(t.Expansion)
	for _, z := range t.Zones {
		fz := fileZone{ID: z.ID, Name: z.Name}
		var err error
		if fz.CIDR, fz.CIDRs, err = cidrFields(z.CIDRs); err != nil {
			return nil, fmt.Errorf("marshal zone %s: %w", z.ID, err)
		}
		if fz.Subnets, err = subnetList(z.Subnets); err != nil {
			return nil, fmt.Errorf("marshal zone %s: %w", z.ID, err)
		}
		for _, p := range z.Pods {
			fp := filePod{ID: p.ID, Name: p.Name}
			if fp.CIDR, fp.CIDRs, err = cidrFields(p.CIDRs); err != nil {
				return nil, fmt.Errorf("marshal pod %s: %w", p.ID, err)
			}
			if fp.Subnets, err = subnetList(p.Subnets); err != nil {
				return nil, fmt.Errorf("marshal pod %s: %w", p.ID, err)
			}
			for _, r := range p.TORs {
				fr := fileTOR{ID: r.ID, Name: r.Name, Location: r.Location}
				for _, s := range r.Subnets {
					fs, err := subnetFields(s)
					if err != nil {
						return nil, fmt.Errorf("marshal tor %s: %w", r.ID, err)
					}
					fr.Subnets = append(fr.Subnets, fs)
				}
				fp.TORs = append(fp.TORs, fr)
			}
			fz.Pods = append(fz.Pods, fp)
		}
		f.Topology.Zones = append(f.Topology.Zones, fz)
	}
	for p, l := range t.Strategies {
		if f.Topology.Strategies == nil {
			f.Topology.Strategies = map[string]string{}
		}
		f.Topology.Strategies[p] = l.String()
	}
	return encodeYAML(f)
}

// MarshalNodes writes nodes in the nodes: list format.
func MarshalNodes(nodes []Node) ([]byte, error) {
	f := fileNodes{Nodes: []fileNode{}}
	for _, n := range nodes {
		fn := fileNode{ID: n.ID, Name: n.Name, TOR: n.TOR, Labels: n.Labels}
		for _, p := range n.Preferences {
			fn.Preferences = append(fn.Preferences, filePreference(p))
		}
		f.Nodes = append(f.Nodes, fn)
	}
	return encodeYAML(f)
}

func cidrFields(ps []netip.Prefix) (string, []string, error) {
	out := make([]string, len(ps))
	for i, p := range ps {
		if !p.IsValid() {
			return "", nil, fmt.Errorf("prefix %d is not set", i)
		}
		out[i] = p.String()
	}
	if len(out) == 1 {
		return out[0], nil, nil
	}
	return "", out, nil
}

func subnetList(ss []Subnet) ([]fileSubnet, error) {
	var out []fileSubnet
	for _, s := range ss {
		fs, err := subnetFields(s)
		if err != nil {
			return nil, err
		}
		out = append(out, fs)
	}
	return out, nil
}

func subnetFields(s Subnet) (fileSubnet, error) {
	if !s.CIDR.IsValid() {
		return fileSubnet{}, fmt.Errorf("subnet without a cidr")
	}
	fs := fileSubnet{CIDR: s.CIDR.String(), Purpose: s.Purpose, Expanded: s.Expanded}
	if s.Gateway.IsValid() {
		fs.Gateway = s.Gateway.String()
	}
	for _, x := range s.Exclude {
		switch {
		case !x.IsValid():
			return fileSubnet{}, fmt.Errorf("subnet %s: exclude is not set", s.CIDR)
		case x.IsSingleIP():
			fs.Exclude = append(fs.Exclude, x.Addr().String())
		default:
			fs.Exclude = append(fs.Exclude, x.String())
		}
	}
	return fs, nil
}

func encodeYAML(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode yaml: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode yaml: %w", err)
	}
	return b.Bytes(), nil
}
