package alloc

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/netipam/netipam/topo"
)

func blocks(used int64, cidrs ...string) []BlockUse {
	var out []BlockUse
	for _, c := range cidrs {
		p := netip.MustParsePrefix(c)
		out = append(out, BlockUse{Subnet: topo.Subnet{CIDR: p, Purpose: "default", Gateway: topo.DefaultGateway(p)}, Used: used})
	}
	return out
}

func prefixes(cidrs ...string) []netip.Prefix {
	var out []netip.Prefix
	for _, c := range cidrs {
		out = append(out, netip.MustParsePrefix(c))
	}
	return out
}

func TestPlanExpansionChoice(t *testing.T) {
	rule := topo.ExpansionRule{Threshold: 0.8, MaxSubnetsPerTOR: 16, Horizon: 7 * 24 * time.Hour}
	// A /26 holds 61 usable addresses (network, gateway, broadcast).
	for name, c := range map[string]struct {
		mine   []BlockUse
		taken  []string
		pod    []string
		rule   *topo.ExpansionRule
		block  string
		choice string
		agg    int
	}{
		"buddy first": {
			mine: blocks(55, "10.0.0.0/26"), taken: []string{"10.0.0.0/26"},
			block: "10.0.0.64/26", choice: ChoiceBuddy, agg: 1,
		},
		"buddy of the upper half": {
			mine: blocks(55, "10.0.0.64/26"), taken: []string{"10.0.0.64/26"},
			block: "10.0.0.0/26", choice: ChoiceBuddy, agg: 1,
		},
		"buddy of an aggregate": {
			mine: blocks(55, "10.0.0.0/26", "10.0.0.64/26"), taken: []string{"10.0.0.0/26", "10.0.0.64/26"},
			rule:  &topo.ExpansionRule{Threshold: 0.8, PrefixLength4: 25},
			block: "10.0.0.128/25", choice: ChoiceBuddy, agg: 1,
		},
		"adjacent when the buddy is taken": {
			mine: blocks(55, "10.0.0.64/26"), taken: []string{"10.0.0.64/26", "10.0.0.0/26"},
			block: "10.0.0.128/26", choice: ChoiceAdjacent, agg: 2,
		},
		"adjacent before": {
			mine: blocks(55, "10.0.0.128/26"), taken: []string{"10.0.0.128/26", "10.0.0.192/26"},
			block: "10.0.0.64/26", choice: ChoiceAdjacent, agg: 2,
		},
		"any when nothing touches": {
			mine:  blocks(55, "10.0.0.64/26"),
			taken: []string{"10.0.0.64/26", "10.0.0.0/26", "10.0.0.128/26", "10.0.1.0/24"},
			block: "10.0.0.192/26", choice: ChoiceAny, agg: 2,
		},
		"any, lowest address": {
			mine:  blocks(55, "10.0.0.64/26"),
			taken: []string{"10.0.0.64/26", "10.0.0.0/26", "10.0.0.128/26", "10.0.0.192/26"},
			block: "10.0.1.0/26", choice: ChoiceAny, agg: 2,
		},
		"pod full": {
			mine:  blocks(55, "10.0.0.0/26"),
			taken: []string{"10.0.0.0/26", "10.0.0.64/26", "10.0.0.128/25", "10.0.1.0/24"},
		},
		"never outside the pod": {
			mine: blocks(55, "10.0.0.192/26"), taken: []string{"10.0.0.192/26", "10.0.0.128/26", "10.0.0.0/25"},
			pod: []string{"10.0.0.0/24"},
		},
	} {
		t.Run(name, func(t *testing.T) {
			r := rule
			if c.rule != nil {
				r = *c.rule
			}
			pod := c.pod
			if pod == nil {
				pod = []string{"10.0.0.0/23"}
			}
			p, err := PlanExpansion(ExpansionInput{TOR: "tor-1", Pod: "pod-1", Purpose: "default", Family: topo.IPv4,
				PodPrefixes: prefixes(pod...), Taken: prefixes(c.taken...), Blocks: c.mine, Rule: r})
			if err != nil {
				t.Fatal(err)
			}
			if !p.Need || p.Reason != ReasonThreshold {
				t.Fatalf("need %v reason %q, want threshold", p.Need, p.Reason)
			}
			if c.block == "" {
				if p.Block.IsValid() || !strings.Contains(p.Blocked, "pod pod-1 has no free /26") {
					t.Fatalf("plan %+v: want the pod reported full", p)
				}
				return
			}
			if p.Block.String() != c.block || p.Choice != c.choice || p.Aggregates != c.agg || p.Blocked != "" {
				t.Errorf("block %s (%s, %d aggregates, blocked %q), want %s (%s, %d)", p.Block, p.Choice, p.Aggregates, p.Blocked, c.block, c.choice, c.agg)
			}
		})
	}
}

func TestPlanExpansionNeed(t *testing.T) {
	rule := topo.ExpansionRule{Threshold: 0.8, MaxSubnetsPerTOR: 2, Horizon: 7 * 24 * time.Hour}
	pod := prefixes("10.0.0.0/16")
	for name, c := range map[string]struct {
		in      ExpansionInput
		need    bool
		reason  string
		blocked string
		bits    int
	}{
		"below the threshold": {in: ExpansionInput{Blocks: blocks(48, "10.0.0.0/26")}},
		"at the threshold":    {in: ExpansionInput{Blocks: blocks(49, "10.0.0.0/26")}, need: true, reason: ReasonThreshold, bits: 26},
		"min_available": {in: ExpansionInput{Blocks: blocks(30, "10.0.0.0/26"), MinAvailable: 40},
			need: true, reason: ReasonMinAvailable, bits: 26},
		"manual":    {in: ExpansionInput{Blocks: blocks(0, "10.0.0.0/26"), Manual: true}, need: true, reason: ReasonManual, bits: 26},
		"no blocks": {in: ExpansionInput{}},
		"max subnets": {in: ExpansionInput{Blocks: blocks(61, "10.0.0.0/26", "10.0.0.64/26")}, need: true, reason: ReasonThreshold,
			blocked: "max_subnets_per_tor is 2"},
		"configured size": {in: ExpansionInput{Blocks: blocks(55, "10.0.0.0/26"), Rule: topo.ExpansionRule{Threshold: 0.8, PrefixLength4: 28}},
			need: true, reason: ReasonThreshold, bits: 28},
		"configured, never grown": {in: ExpansionInput{Blocks: blocks(55, "10.0.0.0/26"), Recent: 100, Window: 24 * time.Hour,
			Rule: topo.ExpansionRule{Threshold: 0.8, PrefixLength4: 26, Horizon: 7 * 24 * time.Hour}},
			need: true, reason: ReasonThreshold, bits: 26},
		"grown by the rate": {in: ExpansionInput{Blocks: blocks(55, "10.0.0.0/26"), Recent: 100, Window: 24 * time.Hour},
			need: true, reason: ReasonThreshold, bits: 22}, // 700 a week: a /26 grown 4 bits at most
		"grown a little": {in: ExpansionInput{Blocks: blocks(55, "10.0.0.0/26"), Recent: 20, Window: 24 * time.Hour},
			need: true, reason: ReasonThreshold, bits: 24}, // 140 a week: a /24 holds 256
		"grown as far as the pod allows": {in: ExpansionInput{Blocks: blocks(55, "10.0.0.0/26"), Recent: 100, Window: 24 * time.Hour,
			Taken: prefixes("10.0.1.0/24", "10.0.2.0/23", "10.0.4.0/22", "10.0.8.0/21", "10.0.16.0/20", "10.0.32.0/19", "10.0.64.0/18", "10.0.128.0/17")},
			need: true, reason: ReasonThreshold, bits: 25},
	} {
		t.Run(name, func(t *testing.T) {
			in := c.in
			in.TOR, in.Pod, in.Purpose, in.Family, in.PodPrefixes = "tor-1", "pod-1", "default", topo.IPv4, pod
			if in.Rule.Threshold == 0 {
				in.Rule = rule
			}
			for _, b := range in.Blocks {
				in.Taken = append(in.Taken, b.Subnet.CIDR)
			}
			p, err := PlanExpansion(in)
			if err != nil {
				t.Fatal(err)
			}
			if p.Need != c.need || p.Reason != c.reason || !strings.Contains(p.Blocked, c.blocked) || (c.blocked == "") != (p.Blocked == "") {
				t.Fatalf("need %v reason %q blocked %q, want %v %q %q", p.Need, p.Reason, p.Blocked, c.need, c.reason, c.blocked)
			}
			if c.bits != 0 && p.Block.Bits() != c.bits {
				t.Errorf("block %s, want a /%d", p.Block, c.bits)
			}
		})
	}
}
