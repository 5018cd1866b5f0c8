package topo

import (
	"fmt"
	"net/netip"
	"strings"
)

var (
	idPattern      = lazyRegexp(`^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$`)
	purposePattern = lazyRegexp(`^[a-z][a-z0-9_-]{0,31}$`)
)

// Validate checks the whole topology: unique IDs, valid CIDRs without host
// bits, children inside their parents, disjoint siblings, globally disjoint
// subnets, and the subnet rules (sizes, gateway, excludes, purpose). It
// returns every problem as an Errors value, or nil.
func (t *Topology) Validate() error {
	return t.validate(nil)
}

// validator collects problems; pos, when the topology came from a file,
// gives each field its line.
type validator struct {
	pos  *positions
	errs Errors
	ids  map[string]string // id -> field of its first use
}

func (v *validator) add(field, format string, args ...any) {
	v.errs = append(v.errs, v.pos.errorf(field, format, args...))
}

// ref names a field for a message: its path and, from a file, its line.
func (v *validator) ref(field string) string {
	name, line := v.pos.at(field)
	if line > 0 {
		return fmt.Sprintf("%s (line %d)", name, line)
	}
	return name
}

func (t *Topology) validate(pos *positions) error {
	v := &validator{pos: pos, ids: map[string]string{}}
	var zoneSpace, subnetSpace []span
	for i, z := range t.Zones {
		zf := fmt.Sprintf("zones[%d]", i)
		v.id(zf, "zone", z.ID)
		v.text(zf+".name", "name", z.Name)
		zoneSpans := v.prefixes(zf, "zone "+idText(z.ID), z.CIDRs)
		zoneSpace = append(zoneSpace, zoneSpans...)
		var podSpace []span
		for j, p := range z.Pods {
			pf := fmt.Sprintf("%s.pods[%d]", zf, j)
			v.id(pf, "pod", p.ID)
			v.text(pf+".name", "name", p.Name)
			podSpans := v.prefixes(pf, "pod "+idText(p.ID), p.CIDRs)
			for _, s := range podSpans {
				v.inside(s, "zone "+idText(z.ID), z.CIDRs)
			}
			podSpace = append(podSpace, podSpans...)
			for k, r := range p.TORs {
				rf := fmt.Sprintf("%s.tors[%d]", pf, k)
				v.id(rf, "tor", r.ID)
				v.text(rf+".name", "name", r.Name)
				v.text(rf+".location", "location", r.Location)
				for l, s := range r.Subnets {
					sf := fmt.Sprintf("%s.subnets[%d]", rf, l)
					if sp, ok := v.subnet(sf, "tor "+idText(r.ID), s); ok {
						v.inside(sp, "pod "+idText(p.ID), p.CIDRs)
						subnetSpace = append(subnetSpace, sp)
					}
				}
			}
			subnetSpace = append(subnetSpace, v.poolSubnets(pf, "pod "+idText(p.ID), p.Subnets, p.CIDRs)...)
		}
		v.disjoint(podSpace, "pod prefixes in one zone must not overlap")
		subnetSpace = append(subnetSpace, v.poolSubnets(zf, "zone "+idText(z.ID), z.Subnets, z.CIDRs)...)
	}
	v.strategies(t.Strategies)
	v.disjoint(zoneSpace, "zone prefixes must not overlap")
	v.disjoint(subnetSpace, "subnets must not overlap anywhere in the topology: pick a free range")
	return v.errs.err()
}

// text checks a free-text field (a name, a location).
func (v *validator) text(field, what, s string) {
	if msg := textProblem(what, s); msg != "" {
		v.add(field, "%s", msg)
	}
}

// id checks an entity's id: present, well formed, unique across kinds.
func (v *validator) id(field, kind, id string) {
	f := field + ".id"
	switch {
	case id == "":
		v.add(f, "missing: every %s needs an id", kind)
	case !idPattern().MatchString(id):
		v.add(f, "invalid id %s: use letters, digits, '.', '_' and '-', starting with a letter or digit, at most 63 characters", Quote(id))
	case virtualProblem(kind, id) != "":
		v.add(f, "%s", virtualProblem(kind, id))
	default:
		if first, dup := v.ids[id]; dup {
			v.add(f, "duplicate id %q: already used at %s; ids must be unique across zones, pods and TORs", id, v.ref(first))
			return
		}
		v.ids[id] = field
	}
}

// prefixField names the i-th of n prefixes of an entity as written: cidr
// for a lone prefix unless the file used a cidrs list.
func (v *validator) prefixField(base string, n, i int) string {
	many := fmt.Sprintf("%s.cidrs[%d]", base, i)
	if n == 1 && !v.pos.has(many) {
		return base + ".cidr"
	}
	return many
}

// prefixes checks a zone's or pod's prefix list and returns the usable ones.
func (v *validator) prefixes(base, owner string, ps []netip.Prefix) []span {
	if len(ps) == 0 {
		v.add(base+".cidr", "missing: %s needs a prefix: add cidr (or cidrs for several)", owner)
		return nil
	}
	var out []span
	for i, p := range ps {
		f := v.prefixField(base, len(ps), i)
		if msg := prefixProblem(p); msg != "" {
			v.add(f, "%s", msg)
			continue
		}
		if msg := unusableProblem(p); msg != "" {
			v.add(f, "%s", msg)
			continue
		}
		out = append(out, span{p: p, field: f, owner: owner})
	}
	return out
}

// inside checks that s lies in one of the parent's prefixes of its family.
func (v *validator) inside(s span, parent string, parents []netip.Prefix) {
	fam := FamilyOfPrefix(s.p)
	var same []string
	for _, pp := range parents {
		if !pp.IsValid() || FamilyOfPrefix(pp) != fam {
			continue
		}
		if prefixProblem(pp) != "" {
			return // the parent's own error says it all
		}
		if covers(pp, s.p) {
			return
		}
		same = append(same, pp.String())
	}
	if len(same) == 0 {
		return // the parent declares no prefix of this family: nothing to be inside
	}
	hint := "use a prefix inside it or widen the " + strings.Fields(parent)[0]
	if _, stored := v.pos.storedName(s.field); stored {
		hint = "keep the " + strings.Fields(parent)[0] + "'s prefix that holds it, or declare it in the file where it fits (or remove it with --prune)"
	}
	v.add(s.field, "%s is not inside %s (%s): %s", s.p, parent, strings.Join(same, ", "), hint)
}

// subnet checks one TOR subnet and returns its span when its CIDR is usable.
func (v *validator) subnet(f, owner string, s Subnet) (span, bool) {
	switch {
	case s.Purpose == "":
		v.add(f+".purpose", "missing: every subnet needs a purpose such as default, storage or management")
	case !purposePattern().MatchString(s.Purpose):
		v.add(f+".purpose", "invalid purpose %s: use lower case letters, digits, '_' and '-', starting with a letter, at most 32 characters", Quote(s.Purpose))
	}
	cf := f + ".cidr"
	if msg := prefixProblem(s.CIDR); msg != "" {
		v.add(cf, "%s", msg)
		return span{}, false
	}
	if msg := unusableProblem(s.CIDR); msg != "" {
		v.add(cf, "%s", msg)
		return span{}, false
	}
	p := s.CIDR
	switch {
	case p.Addr().Is4() && p.Bits() > MaxSubnetBits4:
		v.add(cf, "IPv4 subnet %s is too small: an IPv4 subnet must be /%d or larger (prefix length at most %d)", p, MaxSubnetBits4, MaxSubnetBits4)
	case p.Addr().Is6() && (p.Bits() < MinSubnetBits6 || p.Bits() > MaxSubnetBits6):
		v.add(cf, "IPv6 subnet %s has prefix length /%d: it must be between /%d and /%d inclusive", p, p.Bits(), MinSubnetBits6, MaxSubnetBits6)
	default:
		v.gateway(f+".gateway", p, s.Gateway)
	}
	for i, x := range s.Exclude {
		xf := fmt.Sprintf("%s.exclude[%d]", f, i)
		if msg := prefixProblem(x); msg != "" {
			v.add(xf, "%s", msg)
		} else if !covers(p, x) {
			v.add(xf, "exclude %s is not inside subnet %s: remove it or fix the address", x, p)
		}
	}
	if len(s.Exclude) > 0 && noUsableAddress(s) {
		v.add(f+".exclude", "the excludes (with the gateway) cover every usable address of %s: nothing could ever be handed out; exclude less", p)
	}
	return span{p: p, field: cf, owner: owner}, true
}

// gateway checks a subnet's gateway; zero means none.
func (v *validator) gateway(f string, p netip.Prefix, gw netip.Addr) {
	if !gw.IsValid() {
		return
	}
	hint := fmt.Sprintf("use an address inside it such as %s, or omit gateway", DefaultGateway(p))
	switch {
	case addrProblem(gw) != "":
		v.add(f, "%s", addrProblem(gw))
	case !p.Contains(gw):
		v.add(f, "gateway %s is not inside subnet %s: %s", gw, p, hint)
	case gw == p.Addr():
		v.add(f, "gateway %s is the network address of %s: %s", gw, p, hint)
	case gw.Is4() && gw == lastAddr(p):
		v.add(f, "gateway %s is the broadcast address of %s: %s", gw, p, hint)
	}
}
