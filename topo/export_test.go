package topo

import (
	"os"
	"reflect"
	"testing"
)

func TestMarshalTopologyRoundTrip(t *testing.T) {
	demo, err := os.ReadFile("../testdata/topology.yaml")
	if err != nil {
		t.Fatal(err)
	}
	inputs := map[string]string{
		"demo":     string(demo),
		"two pods": twoPods,
		"single cidrs list": `topology:
  zones:
    - id: "123"
      name: "yes"
      cidrs: ["10.0.0.0/8"]
      pods: []
`,
		"excludes": withSubnets("- cidr: 10.244.0.0/22", "  purpose: default", `  exclude: ["10.244.0.5/32", "10.244.0.100-10.244.0.110"]`),
		"empty":    "topology:\n  zones: []\n",
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			want := mustParse(t, in)
			out, err := MarshalTopology(want)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParseTopology("out.yaml", out)
			if err != nil {
				t.Fatalf("parse marshalled: %v\n%s", err, out)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("round trip differs:\n got %+v\nwant %+v\n%s", got, want, out)
			}
		})
	}
}

func TestMarshalTopologyShape(t *testing.T) {
	out, err := MarshalTopology(mustParse(t, withSubnets(
		"- cidr: 10.244.0.0/22",
		"  purpose: default",
		`  exclude: ["10.244.0.5/32", "10.244.0.8/29"]`,
	)))
	if err != nil {
		t.Fatal(err)
	}
	want := `topology:
  zones:
    - id: zone-a
      cidr: 10.244.0.0/16
      pods:
        - id: pod-1
          cidr: 10.244.0.0/20
          tors:
            - id: tor-1
              subnets:
                - cidr: 10.244.0.0/22
                  purpose: default
                  gateway: 10.244.0.1
                  exclude: [10.244.0.5, 10.244.0.8/29]
`
	if string(out) != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
}

func TestMarshalNodesRoundTrip(t *testing.T) {
	data, err := os.ReadFile("../testdata/nodes.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want, err := ParseNodes("nodes.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	out, err := MarshalNodes(want)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseNodes("out.yaml", out)
	if err != nil {
		t.Fatalf("parse marshalled: %v\n%s", err, out)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("round trip differs:\n got %+v\nwant %+v", got, want)
	}
}
