package topo

import (
	"slices"
	"testing"
)

func changeLines(cs []Change) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.String()
	}
	return out
}

func TestDiff(t *testing.T) {
	current := twoPods + `    - id: zone-b
      cidr: 10.245.0.0/16
      pods:
        - id: pod-b
          cidr: 10.245.0.0/20
          tors:
            - id: tor-b
              subnets:
                - cidr: 10.245.0.0/24
                  purpose: default
`
	desired := edit(edit(edit(twoPods,
		"            - id: tor-1\n",
		"            - id: tor-1\n              name: TOR-R01\n"),
		"                  purpose: default\n        - id: pod-2",
		"                  purpose: default\n                - cidr: 10.244.4.0/24\n                  purpose: storage\n        - id: pod-2"),
		"cidr: 10.244.16.0/22\n                  purpose: default",
		"cidr: 10.244.16.0/22\n                  purpose: storage") + `        - id: pod-3
          cidr: 10.244.32.0/20
          tors:
            - id: tor-3
              subnets:
                - cidr: 10.244.32.0/24
                  purpose: default
`
	tests := []struct {
		name             string
		current, desired string
		want             []string
	}{
		{"unchanged", twoPods, twoPods, nil},
		{"changes", current, desired, []string{
			"- subnet 10.245.0.0/24 (tor tor-b)",
			`~ tor tor-1: name "" -> "TOR-R01"`,
			"+ subnet 10.244.4.0/24 (tor tor-1, storage)",
			`~ subnet 10.244.16.0/22: purpose "default" -> "storage"`,
			"+ pod pod-3 (zone zone-a, 10.244.32.0/20)",
			"+ tor tor-3 (pod pod-3)",
			"+ subnet 10.244.32.0/24 (tor tor-3, default)",
			"- tor tor-b (pod pod-b)",
			"- pod pod-b (zone zone-b)",
			"- zone zone-b",
		}},
		{"subnet resized", twoPods, edit(twoPods, "cidr: 10.244.16.0/22", "cidr: 10.244.16.0/23"), []string{
			"- subnet 10.244.16.0/22 (tor tor-2)",
			"+ subnet 10.244.16.0/23 (tor tor-2, default)",
		}},
		{"from nothing", "topology:\n  zones: []\n", "topology:\n  zones:\n    - id: z\n      cidrs: [10.0.0.0/8, \"fd00::/48\"]\n", []string{
			"+ zone z (10.0.0.0/8, fd00::/48)",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := changeLines(Diff(mustParse(t, tt.current), mustParse(t, tt.desired)))
			if !slices.Equal(got, tt.want) {
				t.Errorf("Diff() =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestDiffSubnetUpdate(t *testing.T) {
	cur := &Topology{Zones: []Zone{{ID: "z", Pods: []Pod{{ID: "p", TORs: []TOR{
		{ID: "a", Subnets: []Subnet{{CIDR: pfx("10.0.0.0/24"), Purpose: "default", Gateway: addr("10.0.0.1")}}},
		{ID: "b"},
	}}}}}}
	des := &Topology{Zones: []Zone{{ID: "z", Pods: []Pod{{ID: "p", TORs: []TOR{
		{ID: "a"},
		{ID: "b", Subnets: []Subnet{{CIDR: pfx("10.0.0.0/24"), Purpose: "storage", Gateway: addr("10.0.0.254"), Exclude: []netipPrefix{pfx("10.0.0.7/32")}}}},
	}}}}}}
	got := changeLines(Diff(cur, des))
	want := []string{`~ subnet 10.0.0.0/24: tor "a" -> "b"; purpose "default" -> "storage"; gateway 10.0.0.1 -> 10.0.0.254; exclude [] -> [10.0.0.7/32]`}
	if !slices.Equal(got, want) {
		t.Errorf("Diff() =\n%q\nwant\n%q", got, want)
	}
}
