package topo

import (
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
		"prefix too long":   {"prefix_length: {ipv4: 32}", "expansion.prefix_length.ipv4: \"32\": write a whole number from 8 to 31"},
		"unknown family":    {"prefix_length: {v4: 24}", "unknown key \"v4\""},
		"bad horizon":       {"horizon: soon", "expansion.horizon: duration \"soon\": write a positive duration"},
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
