package topo

import (
	"os"
	"reflect"
	"testing"
)

// FuzzParseTopology checks that parsing never panics and that whatever
// parses survives MarshalTopology and a second parse unchanged.
func FuzzParseTopology(f *testing.F) {
	if demo, err := os.ReadFile("../testdata/topology.yaml"); err == nil {
		f.Add(demo)
	}
	f.Add([]byte(twoPods))
	f.Add([]byte(withSubnets("- cidr: 10.244.0.0/22", "  purpose: default", `  exclude: ["10.244.0.2", "10.244.0.100-10.244.0.110"]`)))
	f.Add([]byte("topology:\n  zones:\n    - id: z\n      cidrs: [\"fd00::/48\", 10.0.0.0/8]\n"))
	f.Add([]byte("topology:\n  zones:\n    - &a {id: z}\n    - *a\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		top, err := ParseTopology("f.yaml", data)
		if err != nil {
			if top != nil {
				t.Fatal("topology returned with an error")
			}
			return
		}
		out, err := MarshalTopology(top)
		if err != nil {
			t.Fatalf("marshal a parsed topology: %v", err)
		}
		again, err := ParseTopology("out.yaml", out)
		if err != nil {
			t.Fatalf("parse marshalled topology: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(again, top) {
			t.Fatalf("round trip differs:\n%+v\n%+v\n%s", top, again, out)
		}
		_ = Diff(top, again)
	})
}
