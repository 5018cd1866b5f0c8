package topo

import (
	"net/netip"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// pools is twoPods with a zone pool (its subnet on line 6), a pool on
// pod-1 (line 12) and storage pinned to the pod (line 27).
var pools = edit(edit(twoPods+"  strategies:\n    storage: pod\n",
	"      cidr: 10.244.0.0/16\n", "      cidr: 10.244.0.0/16\n      subnets:\n        - cidr: 10.244.200.0/24\n          purpose: default\n"),
	"          cidr: 10.244.0.0/20\n", "          cidr: 10.244.0.0/20\n          subnets:\n            - cidr: 10.244.15.0/24\n              purpose: storage\n")

func TestParsePools(t *testing.T) {
	tp := mustParse(t, pools)
	z := tp.Zones[0]
	if len(z.Subnets) != 1 || z.Subnets[0].CIDR != netip.MustParsePrefix("10.244.200.0/24") ||
		z.Subnets[0].Gateway != netip.MustParseAddr("10.244.200.1") {
		t.Errorf("zone subnets = %+v", z.Subnets)
	}
	if p := z.Pods[0]; len(p.Subnets) != 1 || p.Subnets[0].Purpose != "storage" {
		t.Errorf("pod subnets = %+v", p.Subnets)
	}
	if tp.Strategies["storage"] != LevelPod {
		t.Errorf("strategies = %v", tp.Strategies)
	}
	refs := tp.PoolSubnets()
	if len(refs) != 2 || refs[0].Level != LevelZone || refs[0].Owner() != "zone-a" || refs[1].Level != LevelPod || refs[1].Owner() != "pod-1" {
		t.Errorf("PoolSubnets = %+v", refs)
	}
}

func TestValidatePools(t *testing.T) {
	runErrorRows(t, parseTopo, []errorRow{
		{name: "pod subnet outside the pod", yaml: edit(pools, "cidr: 10.244.15.0/24", "cidr: 10.244.31.0/24"),
			field: "zones[0].pods[0].subnets[0].cidr", line: 12, msg: "10.244.31.0/24 is not inside pod pod-1 (10.244.0.0/20)"},
		{name: "pod subnet overlapping a TOR subnet", yaml: edit(pools, "cidr: 10.244.15.0/24", "cidr: 10.244.0.0/24"),
			field: "zones[0].pods[0].subnets[0].cidr", line: 12, msg: "overlaps 10.244.0.0/22 of tor tor-1"},
		{name: "zone subnet overlapping a pod subnet", yaml: edit(pools, "cidr: 10.244.200.0/24", "cidr: 10.244.15.128/25"),
			field: "zones[0].subnets[0].cidr", line: 6, msg: "overlaps 10.244.15.0/24 of pod pod-1"},
		{name: "zone subnet outside the zone", yaml: edit(pools, "cidr: 10.244.200.0/24", "cidr: 10.245.0.0/24"),
			field: "zones[0].subnets[0].cidr", line: 6, msg: "10.245.0.0/24 is not inside zone zone-a (10.244.0.0/16)"},
		{name: "pool subnet without purpose", yaml: edit(pools, "          purpose: default\n      pods:", "      pods:"),
			field: "zones[0].subnets[0].purpose", line: 6, msg: "missing: every subnet needs a purpose"},
		{name: "pool gateway outside", yaml: edit(pools, "              purpose: storage\n", "              purpose: storage\n              gateway: 10.0.0.1\n"),
			field: "zones[0].pods[0].subnets[0].gateway", line: 14, msg: "gateway 10.0.0.1 is not inside subnet 10.244.15.0/24"},
		{name: "unknown strategy level", yaml: edit(pools, "storage: pod", "storage: rack"),
			field: "strategies.storage", line: 27, msg: `unknown level "rack": use tor, pod or zone`},
		{name: "bad strategy purpose", yaml: edit(pools, "storage: pod", "Storage: pod"),
			field: "strategies.Storage", line: 27, msg: `invalid purpose "Storage"`},
	})
}

func TestPoolsRoundTripAndDiff(t *testing.T) {
	levels, err := os.ReadFile("../testdata/levels.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for name, in := range map[string]string{"pools": pools, "levels": string(levels)} {
		want := mustParse(t, in)
		out, err := MarshalTopology(want)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseTopology("out.yaml", out)
		if err != nil {
			t.Fatalf("%s: parse marshalled: %v\n%s", name, err, out)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: round trip differs:\n got %+v\nwant %+v\n%s", name, got, want, out)
		}
		if d := Diff(want, got); len(d) != 0 {
			t.Errorf("%s: diff of equal topologies: %v", name, d)
		}
	}
	old, now := mustParse(t, pools), mustParse(t, edit(edit(pools, "storage: pod", "storage: zone"),
		"            - cidr: 10.244.15.0/24\n              purpose: storage\n", "            - cidr: 10.244.15.0/24\n              purpose: backup\n"))
	var got []string
	for _, c := range Diff(old, now) {
		got = append(got, c.String())
	}
	want := []string{`~ subnet 10.244.15.0/24: purpose "storage" -> "backup"`, `~ strategy storage: level "pod" -> "zone"`}
	if !slices.Equal(got, want) {
		t.Errorf("Diff = %q, want %q", got, want)
	}
	var adds []string
	for _, c := range Diff(nil, old) {
		if c.Kind == KindSubnet || c.Kind == KindStrategy {
			adds = append(adds, c.String())
		}
	}
	for _, w := range []string{"+ subnet 10.244.200.0/24 (zone zone-a, default)", "+ subnet 10.244.15.0/24 (pod pod-1, storage)", "+ strategy storage (pod)"} {
		if !slices.Contains(adds, w) {
			t.Errorf("Diff from nothing lacks %q: %q", w, adds)
		}
	}
}

// Merge keeps stored pool subnets and strategies the file does not
// declare, and names a kept one that no longer fits.
func TestMergeKeepsPools(t *testing.T) {
	stored := mustParse(t, pools)
	f, err := ParseTopologyFile("new.yaml", []byte(twoPods))
	if err != nil {
		t.Fatal(err)
	}
	m, err := f.Merge(stored, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Zones[0].Subnets) != 1 || len(m.Zones[0].Pods[0].Subnets) != 1 || m.Strategies["storage"] != LevelPod {
		t.Errorf("merge lost the stored pools: %+v %v", m.Zones[0], m.Strategies)
	}
	if m, err = f.Merge(stored, true); err != nil || len(m.Zones[0].Subnets) != 0 || m.Strategies != nil {
		t.Errorf("prune kept the pools: %+v %v", m, err)
	}
	shrunk, err := ParseTopologyFile("new.yaml", []byte(edit(twoPods, "cidr: 10.244.0.0/20", "cidr: 10.244.0.0/21")))
	if err != nil {
		t.Fatal(err)
	}
	_, err = shrunk.Merge(stored, false)
	if err == nil || !strings.Contains(err.Error(), "stored subnet 10.244.15.0/24 (pod pod-1)") {
		t.Errorf("a kept pod subnet outside the shrunk pod: %v", err)
	}
}
