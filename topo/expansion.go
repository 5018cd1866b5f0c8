package topo

import (
	"maps"
	"slices"
	"strconv"
	"time"

	"gopkg.in/yaml.v3"
)

// Expansion is the topology file's expansion: block: when a TOR's subnets
// of a purpose and family are grown by a new block, and how. Zero fields
// take the defaults (DefaultExpansion); Purposes override the global rule
// field by field for one purpose.
type Expansion struct {
	ExpansionRule
	// ReclaimGrace is how long an expanded block stays empty before
	// `netipam subnet reclaim` returns it.
	ReclaimGrace time.Duration
	Purposes     map[Purpose]ExpansionRule
}

// ExpansionRule is the part of the expansion settings a purpose may
// override. Zero fields inherit.
type ExpansionRule struct {
	// Threshold is the used/capacity ratio at which a TOR grows, in (0, 1].
	Threshold float64
	// PrefixLength4 and PrefixLength6 size a new block; zero means the
	// size of the TOR's existing block of that purpose and family.
	PrefixLength4, PrefixLength6 int
	// MaxSubnetsPerTOR bounds the subnets of one purpose and family a TOR
	// may hold.
	MaxSubnetsPerTOR int
	// Horizon: a block is made larger when the recent allocation rate
	// would fill it within the horizon.
	Horizon time.Duration
}

// Defaults of the expansion settings.
const (
	DefaultThreshold        = 0.8
	DefaultMaxSubnetsPerTOR = 16
	DefaultHorizon          = 7 * 24 * time.Hour
	DefaultReclaimGrace     = 24 * time.Hour
)

// DefaultExpansion gives the settings of a topology without an expansion:
// block.
func DefaultExpansion() Expansion {
	return Expansion{
		ExpansionRule: ExpansionRule{Threshold: DefaultThreshold, MaxSubnetsPerTOR: DefaultMaxSubnetsPerTOR, Horizon: DefaultHorizon},
		ReclaimGrace:  DefaultReclaimGrace,
	}
}

// Resolved fills every zero field of e (nil included) with its default.
func (e *Expansion) Resolved() Expansion {
	out := DefaultExpansion()
	if e == nil {
		return out
	}
	out.ExpansionRule = e.ExpansionRule.over(out.ExpansionRule)
	if e.ReclaimGrace > 0 {
		out.ReclaimGrace = e.ReclaimGrace
	}
	out.Purposes = e.Purposes
	return out
}

// Rule gives the rule for a purpose: its overrides over the global rule
// over the defaults.
func (e *Expansion) Rule(p Purpose) ExpansionRule {
	r := e.Resolved()
	if o, ok := r.Purposes[p]; ok {
		return o.over(r.ExpansionRule)
	}
	return r.ExpansionRule
}

// PrefixLength gives the configured prefix length of a family, 0 if none.
func (r ExpansionRule) PrefixLength(f Family) int {
	if f == IPv6 {
		return r.PrefixLength6
	}
	return r.PrefixLength4
}

// over fills r's zero fields from base.
func (r ExpansionRule) over(base ExpansionRule) ExpansionRule {
	if r.Threshold == 0 {
		r.Threshold = base.Threshold
	}
	if r.PrefixLength4 == 0 {
		r.PrefixLength4 = base.PrefixLength4
	}
	if r.PrefixLength6 == 0 {
		r.PrefixLength6 = base.PrefixLength6
	}
	if r.MaxSubnetsPerTOR == 0 {
		r.MaxSubnetsPerTOR = base.MaxSubnetsPerTOR
	}
	if r.Horizon == 0 {
		r.Horizon = base.Horizon
	}
	return r
}

// expansion decodes an expansion: block, checking every value where it is
// written.
func (d *decoder) expansion(n *yaml.Node, field string) *Expansion {
	fs := d.fields(n, field, "threshold", "prefix_length", "max_subnets_per_tor", "horizon", "reclaim_grace", "purposes")
	if fs == nil {
		return &Expansion{}
	}
	e := &Expansion{ExpansionRule: d.expansionRule(fs, field)}
	if v, ok := fs["reclaim_grace"]; ok {
		e.ReclaimGrace = d.duration(v, field+".reclaim_grace")
	}
	if v, ok := fs["purposes"]; ok && d.kind(v, field+".purposes", yaml.MappingNode) {
		e.Purposes = map[Purpose]ExpansionRule{}
		for i := 0; i+1 < len(v.Content); i += 2 {
			k, pv := v.Content[i], v.Content[i+1]
			pf := field + ".purposes." + k.Value
			if !purposePattern().MatchString(k.Value) {
				d.fail(k.Line, pf, "purpose %s: use lower-case letters, digits, - and _ (at most 32, starting with a letter)", Quote(k.Value))
				continue
			}
			pfs := d.fields(pv, pf, "threshold", "prefix_length", "max_subnets_per_tor", "horizon")
			e.Purposes[k.Value] = d.expansionRule(pfs, pf)
		}
	}
	return e
}

func (d *decoder) expansionRule(fs map[string]*yaml.Node, field string) ExpansionRule {
	var r ExpansionRule
	if v, ok := fs["threshold"]; ok {
		f := field + ".threshold"
		if s, ok := d.str(v, f); ok {
			t, err := strconv.ParseFloat(s, 64)
			if err != nil || !thresholdOK(t) {
				d.fail(v.Line, f, "threshold %s: write a ratio above 0 and at most 1, such as 0.8", Quote(s))
			} else {
				r.Threshold = t
			}
		}
	}
	if v, ok := fs["prefix_length"]; ok {
		f := field + ".prefix_length"
		pfs := d.fields(v, f, "ipv4", "ipv6")
		if pv, ok := pfs["ipv4"]; ok {
			r.PrefixLength4 = d.prefixLength(pv, f+".ipv4", IPv4)
		}
		if pv, ok := pfs["ipv6"]; ok {
			r.PrefixLength6 = d.prefixLength(pv, f+".ipv6", IPv6)
		}
	}
	if v, ok := fs["max_subnets_per_tor"]; ok {
		r.MaxSubnetsPerTOR = d.intIn(v, field+".max_subnets_per_tor", 1, MaxSubnetsPerTORLimit)
	}
	if v, ok := fs["horizon"]; ok {
		r.Horizon = d.duration(v, field+".horizon")
	}
	return r
}

// prefixLength decodes the length of a new block of family f: one a
// subnet of f may have (prefixLengthProblem).
func (d *decoder) prefixLength(n *yaml.Node, field string, f Family) int {
	s, ok := d.str(n, field)
	if !ok {
		return 0
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		d.fail(n.Line, field, "%s: write a whole number", Quote(s))
		return 0
	}
	if msg := prefixLengthProblem(f, v); msg != "" {
		d.fail(n.Line, field, "%s", msg)
		return 0
	}
	return v
}

// intIn decodes an integer in [lo, hi].
func (d *decoder) intIn(n *yaml.Node, field string, lo, hi int) int {
	s, ok := d.str(n, field)
	if !ok {
		return 0
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < lo || v > hi {
		d.fail(n.Line, field, "%s: write a whole number from %d to %d", Quote(s), lo, hi)
		return 0
	}
	return v
}

// duration decodes a positive duration: Go's form (36h, 90m) or days (7d).
func (d *decoder) duration(n *yaml.Node, field string) time.Duration {
	s, ok := d.str(n, field)
	if !ok {
		return 0
	}
	v, err := ParsePositiveDuration(s)
	if err != nil {
		d.fail(n.Line, field, "%v", err)
		return 0
	}
	return v
}

// Expansion file shapes, written by MarshalTopology.
type (
	fileExpansion struct {
		fileExpansionRule `yaml:",inline"`
		ReclaimGrace      string                       `yaml:"reclaim_grace,omitempty"`
		Purposes          map[string]fileExpansionRule `yaml:"purposes,omitempty"`
	}
	fileExpansionRule struct {
		Threshold        float64           `yaml:"threshold,omitempty"`
		PrefixLength     *filePrefixLength `yaml:"prefix_length,omitempty"`
		MaxSubnetsPerTOR int               `yaml:"max_subnets_per_tor,omitempty"`
		Horizon          string            `yaml:"horizon,omitempty"`
	}
	filePrefixLength struct {
		IPv4 int `yaml:"ipv4,omitempty"`
		IPv6 int `yaml:"ipv6,omitempty"`
	}
)

// expansionFields gives the file shape of e, nil for none.
func expansionFields(e *Expansion) *fileExpansion {
	if e == nil {
		return nil
	}
	f := &fileExpansion{fileExpansionRule: ruleFields(e.ExpansionRule)}
	if e.ReclaimGrace > 0 {
		f.ReclaimGrace = FormatDuration(e.ReclaimGrace)
	}
	if len(e.Purposes) > 0 {
		f.Purposes = map[string]fileExpansionRule{}
		for _, p := range slices.Sorted(maps.Keys(e.Purposes)) {
			f.Purposes[p] = ruleFields(e.Purposes[p])
		}
	}
	return f
}

func ruleFields(r ExpansionRule) fileExpansionRule {
	f := fileExpansionRule{Threshold: r.Threshold, MaxSubnetsPerTOR: r.MaxSubnetsPerTOR}
	if r.PrefixLength4 != 0 || r.PrefixLength6 != 0 {
		f.PrefixLength = &filePrefixLength{IPv4: r.PrefixLength4, IPv6: r.PrefixLength6}
	}
	if r.Horizon > 0 {
		f.Horizon = FormatDuration(r.Horizon)
	}
	return f
}

// flag decodes true or false.
func (d *decoder) flag(n *yaml.Node, field string) bool {
	s, ok := d.str(n, field)
	if !ok {
		return false
	}
	v, err := strconv.ParseBool(s)
	if err != nil {
		d.fail(n.Line, field, "%s: write true or false", Quote(s))
	}
	return v
}
