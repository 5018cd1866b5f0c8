package topo

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

const expansionFile = `topology:
  expansion:
    threshold: 0.75
    prefix_length: {ipv4: 26, ipv6: 64}
    max_subnets_per_tor: 8
    horizon: 3d
    reclaim_grace: 36h
    purposes:
      storage: {threshold: 0.9, prefix_length: {ipv4: 27}}
  zones:
    - id: z
      cidr: 10.0.0.0/16
`

func TestParseExpansion(t *testing.T) {
	top := mustParse(t, expansionFile)
	want := &Expansion{
		ExpansionRule: ExpansionRule{Threshold: 0.75, PrefixLength4: 26, PrefixLength6: 64, MaxSubnetsPerTOR: 8, Horizon: 72 * time.Hour},
		ReclaimGrace:  36 * time.Hour,
		Purposes:      map[Purpose]ExpansionRule{"storage": {Threshold: 0.9, PrefixLength4: 27}},
	}
	if !reflect.DeepEqual(top.Expansion, want) {
		t.Fatalf("expansion = %+v, want %+v", top.Expansion, want)
	}
	st := top.Expansion.Rule("storage")
	if st.Threshold != 0.9 || st.PrefixLength4 != 27 || st.PrefixLength6 != 64 || st.MaxSubnetsPerTOR != 8 || st.Horizon != 72*time.Hour {
		t.Errorf("storage rule = %+v: overrides over the global rule", st)
	}
	out, err := MarshalTopology(top)
	if err != nil {
		t.Fatal(err)
	}
	again := mustParse(t, string(out))
	if !reflect.DeepEqual(again.Expansion, want) {
		t.Errorf("round trip: %+v\n%s", again.Expansion, out)
	}
}

func TestExpansionDefaults(t *testing.T) {
	var e *Expansion
	r := e.Rule("default")
	if r.Threshold != 0.8 || r.MaxSubnetsPerTOR != 16 || r.Horizon != 7*24*time.Hour || r.PrefixLength(IPv4) != 0 {
		t.Errorf("default rule = %+v", r)
	}
	if g := e.Resolved().ReclaimGrace; g != 24*time.Hour {
		t.Errorf("default grace = %v", g)
	}
}

func TestParseExpansionErrors(t *testing.T) {
	for name, c := range map[string]struct{ block, want string }{
		"threshold over 1":  {"threshold: 1.5", "expansion.threshold: threshold \"1.5\": write a ratio above 0 and at most 1"},
		"threshold text":    {"threshold: high", "expansion.threshold"},
		"prefix too long":   {"prefix_length: {ipv4: 32}", "expansion.prefix_length.ipv4: prefix length 32: write a whole number from 8 to 30"},
		"ipv4 /31":          {"prefix_length: {ipv4: 31}", "expansion.prefix_length.ipv4: prefix length 31: write a whole number from 8 to 30 (an IPv4 subnet must be /30 or larger)"},
		"ipv6 /127":         {"prefix_length: {ipv6: 127}", "expansion.prefix_length.ipv6: prefix length 127: write a whole number from 64 to 126"},
		"ipv6 /63":          {"prefix_length: {ipv6: 63}", "expansion.prefix_length.ipv6: prefix length 63: write a whole number from 64 to 126"},
		"ipv6 /16":          {"prefix_length: {ipv6: 16}", "expansion.prefix_length.ipv6: prefix length 16"},
		"purpose ipv4 /31":  {"purposes: {storage: {prefix_length: {ipv4: 31}}}", "expansion.purposes.storage.prefix_length.ipv4: prefix length 31"},
		"prefix not number": {"prefix_length: {ipv4: big}", "expansion.prefix_length.ipv4: \"big\": write a whole number"},
		"unknown family":    {"prefix_length: {v4: 24}", "unknown key \"v4\""},
		"bad horizon":       {"horizon: soon", "expansion.horizon: duration \"soon\": write a duration such as 90s, 15m, 24h, 7d or 1d12h"},
		"negative grace":    {"reclaim_grace: -1h", "expansion.reclaim_grace"},
		"unknown key":       {"treshold: 0.8", "unknown key \"treshold\""},
		"bad purpose":       {"purposes: {Storage!: {threshold: 0.5}}", "expansion.purposes.Storage!"},
		"purpose has grace": {"purposes: {storage: {reclaim_grace: 1h}}", "unknown key \"reclaim_grace\""},
	} {
		t.Run(name, func(t *testing.T) {
			in := "topology:\n  expansion:\n    " + c.block + "\n  zones: []\n"
			_, err := ParseTopology("t.yaml", []byte(in))
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "t.yaml:3") {
				t.Errorf("error = %v, want t.yaml:3 and %q", err, c.want)
			}
		})
	}
}

func TestExpansionChange(t *testing.T) {
	a := &Expansion{ExpansionRule: ExpansionRule{Threshold: 0.8}}
	if _, ok := ExpansionChange(a, &Expansion{ExpansionRule: ExpansionRule{Threshold: 0.8}}); ok {
		t.Error("equal settings make a change")
	}
	c, ok := ExpansionChange(a, &Expansion{ExpansionRule: ExpansionRule{Threshold: 0.9}})
	if !ok || c.String() != "~ expansion settings: threshold 0.8 -> threshold 0.9" {
		t.Errorf("change = %q %v", c, ok)
	}
	if _, ok := ExpansionChange(nil, nil); ok {
		t.Error("no settings make a change")
	}
}

// TestExpansionPrefixLengthBounds: every prefix length a subnet may have
// sizes a block; no other does.
func TestExpansionPrefixLengthBounds(t *testing.T) {
	for _, c := range []struct {
		fam  string
		n    int
		good bool
	}{
		{"ipv4", 8, true}, {"ipv4", 30, true}, {"ipv4", 31, false}, {"ipv4", 7, false},
		{"ipv6", 64, true}, {"ipv6", 126, true}, {"ipv6", 63, false}, {"ipv6", 127, false}, {"ipv6", 16, false},
	} {
		in := fmt.Sprintf("topology:\n  expansion:\n    prefix_length: {%s: %d}\n  zones: []\n", c.fam, c.n)
		_, err := ParseTopology("t.yaml", []byte(in))
		if (err == nil) != c.good {
			t.Errorf("%s /%d: error %v, want accepted %v", c.fam, c.n, err, c.good)
		}
	}
}

// TestExpansionChecked: stored settings out of bounds are cleared (their
// default applies) with one problem each; good ones are kept.
func TestExpansionChecked(t *testing.T) {
	e := &Expansion{
		ExpansionRule: ExpansionRule{Threshold: 1.5, PrefixLength4: 31, PrefixLength6: 64, MaxSubnetsPerTOR: -1, Horizon: time.Hour},
		ReclaimGrace:  -time.Hour,
		Purposes: map[Purpose]ExpansionRule{
			"storage": {Threshold: 0.9, PrefixLength6: 127},
			"Bad!":    {Threshold: 0.5},
		},
	}
	got, ps := e.Checked()
	var fields []string
	for _, p := range ps {
		fields = append(fields, p.Field)
	}
	want := []string{"expansion.threshold", "expansion.prefix_length.ipv4", "expansion.max_subnets_per_tor",
		"expansion.reclaim_grace", `expansion.purposes."Bad!"`, "expansion.purposes.storage.prefix_length.ipv6"}
	if strings.Join(fields, " ") != strings.Join(want, " ") {
		t.Errorf("problems %v, want %v", fields, want)
	}
	r := got.Rule("default")
	if r.Threshold != DefaultThreshold || r.PrefixLength4 != 0 || r.PrefixLength6 != 64 || r.MaxSubnetsPerTOR != DefaultMaxSubnetsPerTOR || r.Horizon != time.Hour {
		t.Errorf("checked default rule = %+v", r)
	}
	if s := got.Rule("storage"); s.Threshold != 0.9 || s.PrefixLength6 != 64 {
		t.Errorf("checked storage rule = %+v", s)
	}
	if got.Resolved().ReclaimGrace != DefaultReclaimGrace || len(got.Purposes) != 1 {
		t.Errorf("checked = %+v", got)
	}
	if e.ExpansionRule.PrefixLength4 != 31 {
		t.Errorf("Checked changed its receiver")
	}
	d := DefaultExpansion()
	if _, ps := d.Checked(); len(ps) != 0 {
		t.Errorf("the defaults: %v", ps)
	}
}
