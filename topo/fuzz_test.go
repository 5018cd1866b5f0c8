package topo

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

// FuzzParseTopology checks that parsing never panics, that no error
// echoes a control character of the input raw, and that whatever parses
// survives MarshalTopology and a second parse unchanged.
func FuzzParseTopology(f *testing.F) {
	if demo, err := os.ReadFile("../testdata/topology.yaml"); err == nil {
		f.Add(demo)
	}
	f.Add([]byte(twoPods))
	f.Add([]byte(withSubnets("- cidr: 10.244.0.0/22", "  purpose: default", `  exclude: ["10.244.0.2", "10.244.0.100-10.244.0.110"]`)))
	f.Add([]byte("topology:\n  zones:\n    - id: z\n      cidrs: [\"fd00::/48\", 10.0.0.0/8]\n"))
	f.Add([]byte("topology:\n  zones:\n    - &a {id: z}\n    - *a\n"))
	f.Add([]byte(""))
	f.Add([]byte("topology:\n  zones:\n    - id: \"z\\e[2J\"\n      name: \"\\a\"\n      \"k\\x1b\": 1\n"))
	f.Add([]byte("topology:\n  zones:\n    - id: z\n      cidr: \"fe80::1%\\e/64\"\n---\nx\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		top, err := ParseTopology("f.yaml", data)
		if err != nil {
			if top != nil {
				t.Fatal("topology returned with an error")
			}
			if strings.ContainsFunc(err.Error(), func(r rune) bool { return r != '\n' && isControl(r) }) {
				t.Fatalf("the error echoes a control character: %q", err)
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

// FuzzParseNodes checks that parsing a nodes file never panics and that no
// error echoes a control character of the input raw.
func FuzzParseNodes(f *testing.F) {
	if demo, err := os.ReadFile("../testdata/nodes.yaml"); err == nil {
		f.Add(demo)
	}
	f.Add([]byte("nodes:\n  - id: \"n\\e\"\n    tor_id: \"t\\a\"\n    name: \"\\u202e\"\n    labels:\n      \"k\\x01\": \"v\\x02\"\n"))
	f.Add([]byte("node:\n  id: n\n  tor_id: virtual-x\n---\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := ParseNodesOn("f.yaml", data, func(string) (bool, error) { return false, nil })
		if err != nil && strings.ContainsFunc(err.Error(), func(r rune) bool { return r != '\n' && isControl(r) }) {
			t.Fatalf("the error echoes a control character: %q", err)
		}
	})
}
