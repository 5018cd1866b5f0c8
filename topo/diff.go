package topo

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"
)

// Change is one step from a current topology to a desired one.
type Change struct {
	Op     string // "add" | "update" | "remove"
	Kind   string // "zone" | "pod" | "tor" | "subnet"
	ID     string // zone, pod or TOR id, or the subnet's CIDR
	Parent string // id of the zone, pod or TOR that holds it; "" for zones
	Detail string // what changed, e.g. name "a" -> "b"
	// Level is, for a subnet, the kind of its Parent: a TOR (empty), a pod
	// or a zone (their own pools).
	Level Level
}

// Change operations and kinds.
const (
	OpAdd    = "add"
	OpUpdate = "update"
	OpRemove = "remove"

	KindZone   = "zone"
	KindPod    = "pod"
	KindTOR    = "tor"
	KindSubnet = "subnet"
	// KindStrategy is a purpose's level pin: ID the purpose, Detail (on
	// add) the level.
	KindStrategy = "strategy"
)

// parentKind names the kind that holds kind.
var parentKind = map[string]string{KindPod: KindZone, KindTOR: KindPod, KindSubnet: KindTOR}

// String formats the change as one plan line, such as
// `+ subnet 10.244.4.0/24 (tor tor-1, storage)`,
// `~ tor tor-1: name "x" -> "y"` or `- zone zone-b`.
func (c Change) String() string {
	var inner []string
	if c.Parent != "" {
		pk := parentKind[c.Kind]
		if c.Kind == KindSubnet && c.Level.Rank() > 0 {
			pk = string(c.Level)
		}
		inner = append(inner, pk+" "+c.Parent)
	}
	switch c.Op {
	case OpAdd:
		if c.Detail != "" {
			inner = append(inner, c.Detail)
		}
		return fmt.Sprintf("+ %s %s%s", c.Kind, c.ID, paren(inner))
	case OpUpdate:
		return fmt.Sprintf("~ %s %s: %s", c.Kind, c.ID, c.Detail)
	default:
		return fmt.Sprintf("- %s %s%s", c.Kind, c.ID, paren(inner))
	}
}

func paren(parts []string) string {
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// Diff lists the changes that turn current into desired: first the removal
// of subnets that go away (freeing their addresses), then adds and updates
// in file order with parents before children, then the removal of TORs,
// pods and zones with children before parents. Entities are matched by id,
// subnets by CIDR; a subnet that moves to another TOR or changes purpose is
// an update. Equal topologies give no changes.
func Diff(current, desired *Topology) []Change {
	cur, des := index(current), index(desired)
	var subnetRemoves, changes, removes []Change
	for _, e := range cur.order {
		if _, ok := des.byKey[e.key()]; ok {
			continue
		}
		c := Change{Op: OpRemove, Kind: e.kind, ID: e.id, Parent: e.parent, Level: e.level}
		if e.kind == KindSubnet {
			subnetRemoves = append(subnetRemoves, c)
		} else {
			removes = append(removes, c)
		}
	}
	for _, e := range des.order {
		old, ok := cur.byKey[e.key()]
		if !ok {
			changes = append(changes, Change{Op: OpAdd, Kind: e.kind, ID: e.id, Parent: e.parent, Detail: e.summary(), Level: e.level})
			continue
		}
		if d := updateDetail(old, e); d != "" {
			changes = append(changes, Change{Op: OpUpdate, Kind: e.kind, ID: e.id, Parent: e.parent, Detail: d, Level: e.level})
		}
	}
	slices.Reverse(removes) // children before parents
	return slices.Concat(subnetRemoves, changes, removes)
}

// entity is one zone, pod, TOR or subnet flattened with its parent and the
// attributes a diff compares.
type entity struct {
	kind, id, parent string
	level            Level // a subnet's owner kind: TOR (empty), pod, zone
	name, location   string
	purpose          string
	cidrs            []netip.Prefix // zone and pod prefixes, or the subnet's excludes
	gateway          netip.Addr
}

func (e *entity) key() string { return e.kind + " " + e.id }

func (e *entity) summary() string {
	switch e.kind {
	case KindSubnet:
		return e.purpose
	case KindStrategy:
		return e.name
	case KindTOR:
		if e.name != "" {
			return fmt.Sprintf("%q", e.name)
		}
		return ""
	}
	return joinPrefixes(e.cidrs)
}

type entityIndex struct {
	order []*entity // pre-order: parents before children, file order
	byKey map[string]*entity
}

func index(t *Topology) entityIndex {
	ix := entityIndex{byKey: map[string]*entity{}}
	add := func(e *entity) {
		if _, dup := ix.byKey[e.key()]; dup {
			return // invalid topology; keep the first
		}
		ix.byKey[e.key()] = e
		ix.order = append(ix.order, e)
	}
	if t == nil {
		return ix
	}
	sub := func(s Subnet, parent string, l Level) {
		add(&entity{kind: KindSubnet, id: s.CIDR.String(), parent: parent, level: l, purpose: s.Purpose, gateway: s.Gateway, cidrs: s.Exclude})
	}
	for _, z := range t.Zones {
		add(&entity{kind: KindZone, id: z.ID, name: z.Name, cidrs: z.CIDRs})
		for _, s := range z.Subnets {
			sub(s, z.ID, LevelZone)
		}
		for _, p := range z.Pods {
			add(&entity{kind: KindPod, id: p.ID, parent: z.ID, name: p.Name, cidrs: p.CIDRs})
			for _, s := range p.Subnets {
				sub(s, p.ID, LevelPod)
			}
			for _, r := range p.TORs {
				add(&entity{kind: KindTOR, id: r.ID, parent: p.ID, name: r.Name, location: r.Location})
				for _, s := range r.Subnets {
					add(&entity{kind: KindSubnet, id: s.CIDR.String(), parent: r.ID, purpose: s.Purpose, gateway: s.Gateway, cidrs: s.Exclude})
				}
			}
		}
	}
	for _, p := range slices.Sorted(maps.Keys(t.Strategies)) {
		add(&entity{kind: KindStrategy, id: p, name: string(t.Strategies[p])})
	}
	return ix
}

// updateDetail describes what differs between two versions of an entity,
// or returns "".
func updateDetail(old, new *entity) string {
	var parts []string
	str := func(what, a, b string) {
		if a != b {
			parts = append(parts, fmt.Sprintf("%s %q -> %q", what, a, b))
		}
	}
	if new.kind == KindSubnet && old.level != new.level {
		str("owner", old.level.String()+" "+old.parent, new.level.String()+" "+new.parent)
	} else {
		str(parentKind[new.kind], old.parent, new.parent)
	}
	if new.kind == KindStrategy {
		str("level", old.name, new.name)
	} else {
		str("name", old.name, new.name)
	}
	str("location", old.location, new.location)
	str("purpose", old.purpose, new.purpose)
	if old.gateway != new.gateway {
		parts = append(parts, fmt.Sprintf("gateway %s -> %s", addrText(old.gateway), addrText(new.gateway)))
	}
	if !samePrefixes(old.cidrs, new.cidrs) {
		what := "cidrs"
		if new.kind == KindSubnet {
			what = "exclude"
		}
		parts = append(parts, fmt.Sprintf("%s [%s] -> [%s]", what, joinPrefixes(old.cidrs), joinPrefixes(new.cidrs)))
	}
	return strings.Join(parts, "; ")
}

// samePrefixes compares prefix lists as sets.
func samePrefixes(a, b []netip.Prefix) bool {
	return slices.Equal(sortedPrefixes(a), sortedPrefixes(b))
}

func sortedPrefixes(ps []netip.Prefix) []netip.Prefix {
	out := slices.Clone(ps)
	slices.SortFunc(out, func(x, y netip.Prefix) int {
		if c := x.Addr().Compare(y.Addr()); c != 0 {
			return c
		}
		return x.Bits() - y.Bits()
	})
	return slices.Compact(out)
}

func joinPrefixes(ps []netip.Prefix) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, ", ")
}

func addrText(a netip.Addr) string {
	if !a.IsValid() {
		return "none"
	}
	return a.String()
}
