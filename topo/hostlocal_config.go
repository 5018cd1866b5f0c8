package topo

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"go4.org/netipx"
)

// hostLocalRange is one range of host-local's ipam section.
type hostLocalRange struct {
	Subnet     string `json:"subnet"`
	RangeStart string `json:"rangeStart"`
	RangeEnd   string `json:"rangeEnd"`
	Gateway    string `json:"gateway"`
}

// hostLocalIPAM is host-local's ipam section: ranges (a list of range
// sets), or the legacy single range written in the section itself.
type hostLocalIPAM struct {
	Type string `json:"type"`
	hostLocalRange
	Ranges [][]hostLocalRange `json:"ranges"`
}

// cniConfig is what netipam reads of a CNI network config: a .conf (one
// plugin, ipam at the top) or a .conflist (plugins).
type cniConfig struct {
	Name    string         `json:"name"`
	IPAM    *hostLocalIPAM `json:"ipam"`
	Plugins []struct {
		Type string         `json:"type"`
		IPAM *hostLocalIPAM `json:"ipam"`
	} `json:"plugins"`
}

// ParseHostLocalConfig reads a CNI network config (.conf or .conflist)
// whose IPAM is host-local, and gives its network name and its ranges as
// subnets of the purpose: the gateway host-local uses (the one given, else
// the subnet's first address), and the addresses outside rangeStart and
// rangeEnd as excludes, so that netipam hands out what host-local would.
// Every problem names the file and the field.
func ParseHostLocalConfig(file string, data []byte, purpose Purpose) (string, []Subnet, error) {
	var c cniConfig
	if err := json.Unmarshal(data, &c); err != nil {
		return "", nil, Errors{jsonError(file, data, err)}
	}
	fail := func(field, format string, args ...any) (string, []Subnet, error) {
		return "", nil, Errors{{File: file, Field: field, Msg: fmt.Sprintf(format, args...)}}
	}
	ipam, field := c.IPAM, "ipam"
	if len(c.Plugins) > 0 {
		ipam = nil
		for i, p := range c.Plugins {
			if p.IPAM == nil || p.IPAM.Type != "host-local" {
				continue
			}
			if ipam != nil {
				return fail(fmt.Sprintf("plugins[%d].ipam", i), "a second plugin with host-local IPAM (the first is %s): give one host-local network per file", field)
			}
			ipam, field = p.IPAM, fmt.Sprintf("plugins[%d].ipam", i)
		}
	}
	switch {
	case ipam == nil:
		return fail("ipam", "no plugin with IPAM type host-local: give a network config that uses host-local")
	case ipam.Type != "host-local":
		return fail(field+".type", "is %s, not host-local: give a network config that uses host-local", Quote(ipam.Type))
	}
	sets := ipam.Ranges
	fields := make([]string, 0, len(sets)+1)
	for i := range sets {
		fields = append(fields, fmt.Sprintf("%s.ranges[%d]", field, i))
	}
	if ipam.Subnet != "" { // host-local puts the legacy range first
		sets = append([][]hostLocalRange{{ipam.hostLocalRange}}, sets...)
		fields = append([]string{field}, fields...)
	}
	if len(sets) == 0 {
		return fail(field+".ranges", "missing: host-local needs ranges (or subnet)")
	}
	var errs Errors
	var out []Subnet
	families := map[Family]string{}
	for i, set := range sets {
		for j, r := range set {
			f := fmt.Sprintf("%s[%d]", fields[i], j)
			if fields[i] == field {
				f = field
			}
			s, bad := hostLocalSubnet(file, f, r, purpose)
			if len(bad) > 0 {
				errs = append(errs, bad...)
				continue
			}
			fam := FamilyOfPrefix(s.CIDR)
			if first, ok := families[fam]; ok && first != fields[i] {
				errs = append(errs, &Error{File: file, Field: fields[i], Msg: fmt.Sprintf(
					"a second IPv%d range set (the first is %s): host-local gives a container an address from each, netipam one per purpose and family; keep one IPv%d range set per network",
					fam, first, fam)})
				break
			}
			families[fam] = fields[i]
			out = append(out, s)
		}
	}
	if len(errs) > 0 {
		return "", nil, errs
	}
	return c.Name, out, nil
}

// hostLocalSubnet turns one host-local range into a subnet.
func hostLocalSubnet(file, field string, r hostLocalRange, purpose Purpose) (Subnet, Errors) {
	var errs Errors
	add := func(f, format string, args ...any) {
		errs = append(errs, &Error{File: file, Field: field + "." + f, Msg: fmt.Sprintf(format, args...)})
	}
	p, err := netip.ParsePrefix(r.Subnet)
	if err != nil {
		add("subnet", "%s is not a prefix such as 10.244.1.0/24", Quote(r.Subnet))
		return Subnet{}, errs
	}
	if p != p.Masked() {
		add("subnet", "%s has host bits set: host-local refuses it too; write %s", p, p.Masked())
		return Subnet{}, errs
	}
	if bad := subnetErrors(file, field, Subnet{CIDR: p, Purpose: purpose}); len(bad) > 0 {
		return Subnet{}, bad // too small or too large for netipam
	}
	addr := func(name, v string, def netip.Addr) netip.Addr {
		if v == "" {
			return def
		}
		a, err := netip.ParseAddr(v)
		if err != nil || !p.Contains(a) {
			add(name, "%s is not an address inside %s", Quote(v), p)
			return def
		}
		return a
	}
	usable := usableRange(p)
	s := Subnet{CIDR: p, Purpose: purpose, Gateway: addr("gateway", r.Gateway, p.Addr().Next())}
	from, to := addr("rangeStart", r.RangeStart, usable.From()), addr("rangeEnd", r.RangeEnd, usable.To())
	if len(errs) > 0 {
		return Subnet{}, errs
	}
	if to.Less(from) {
		add("rangeEnd", "%s is before rangeStart %s", to, from)
		return Subnet{}, errs
	}
	// The usable addresses outside rangeStart-rangeEnd are excluded.
	var b netipx.IPSetBuilder
	b.AddRange(usable)
	b.RemoveRange(netipx.IPRangeFrom(from, to))
	b.Remove(s.Gateway) // reserved as the gateway already
	if set, err := b.IPSet(); err == nil {
		s.Exclude = set.Prefixes()
	}
	if bad := subnetErrors(file, field, s); len(bad) > 0 {
		return Subnet{}, bad
	}
	return s, nil
}

// subnetErrors checks a subnet as netipam would store it, naming the
// host-local fields (subnet for cidr).
func subnetErrors(file, field string, s Subnet) Errors {
	var bad Errors
	if err := ValidateSubnet(field, s); err != nil && errors.As(err, &bad) {
		for _, e := range bad {
			e.File = file
			e.Field = strings.Replace(e.Field, field+".cidr", field+".subnet", 1)
		}
	}
	return bad
}
