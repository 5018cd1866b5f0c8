package topo_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/netipam/netipam/topo"
)

// TestAllocationJSON writes allocations in their one JSON form and reads
// each back: the same allocation.
func TestAllocationJSON(t *testing.T) {
	at := time.Date(2026, 11, 19, 14, 0, 0, 0, time.UTC)
	v4 := topo.Allocation{Address: netip.MustParseAddr("10.244.0.3"), Subnet: netip.MustParsePrefix("10.244.0.0/22"),
		Purpose: "default", Node: "node-01", TOR: "tor-a", Gateway: netip.MustParseAddr("10.244.0.1")}
	for _, c := range []struct {
		name string
		a    func(a topo.Allocation) topo.Allocation
		want string
	}{
		{"node address, zero time", func(a topo.Allocation) topo.Allocation { return a },
			`{"address":"10.244.0.3","cidr":"10.244.0.3/22","prefix_length":22,"gateway":"10.244.0.1",` +
				`"subnet":"10.244.0.0/22","family":4,"purpose":"default","node":"node-01","tor":"tor-a"}`},
		{"no gateway", func(a topo.Allocation) topo.Allocation { a.Gateway = netip.Addr{}; return a },
			`{"address":"10.244.0.3","cidr":"10.244.0.3/22","prefix_length":22,` +
				`"subnet":"10.244.0.0/22","family":4,"purpose":"default","node":"node-01","tor":"tor-a"}`},
		{"a pod's, with time", func(a topo.Allocation) topo.Allocation {
			a.Container, a.IfName, a.Network, a.PodNS, a.PodName, a.At = "c1", "eth0", "net1", "web", "web-0", at
			return a
		}, `{"address":"10.244.0.3","cidr":"10.244.0.3/22","prefix_length":22,"gateway":"10.244.0.1",` +
			`"subnet":"10.244.0.0/22","family":4,"purpose":"default","node":"node-01","tor":"tor-a",` +
			`"container":"c1","ifname":"eth0","network":"net1","pod":"web/web-0","allocated_at":"2026-11-19T14:00:00Z"}`},
		{"pod namespace only", func(a topo.Allocation) topo.Allocation { a.PodNS = "web"; return a },
			`{"address":"10.244.0.3","cidr":"10.244.0.3/22","prefix_length":22,"gateway":"10.244.0.1",` +
				`"subnet":"10.244.0.0/22","family":4,"purpose":"default","node":"node-01","tor":"tor-a","pod":"web/"}`},
		{"IPv6, HTML characters kept", func(topo.Allocation) topo.Allocation {
			return topo.Allocation{Address: netip.MustParseAddr("fd00:a:0:1::4"), Subnet: netip.MustParsePrefix("fd00:a:0:1::/64"),
				Purpose: "storage", Node: "node-01", TOR: "tor-a", Gateway: netip.MustParseAddr("fd00:a:0:1::1"),
				Container: "c<1>&", IfName: "eth1", At: at.Add(time.Nanosecond)}
		}, `{"address":"fd00:a:0:1::4","cidr":"fd00:a:0:1::4/64","prefix_length":64,"gateway":"fd00:a:0:1::1",` +
			`"subnet":"fd00:a:0:1::/64","family":6,"purpose":"storage","node":"node-01","tor":"tor-a",` +
			`"container":"c<1>&","ifname":"eth1","allocated_at":"2026-11-19T14:00:00.000000001Z"}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := c.a(v4)
			got, err := json.Marshal(a)
			if err != nil {
				t.Fatal(err)
			}
			// json.Marshal escapes HTML in what MarshalJSON returns; the
			// CLI's encoder does not.
			var plain bytes.Buffer
			enc := json.NewEncoder(&plain)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(a); err != nil {
				t.Fatal(err)
			}
			if s := strings.TrimSpace(plain.String()); s != c.want {
				t.Errorf("JSON\n got %s\nwant %s", s, c.want)
			}
			var back topo.Allocation
			if err := json.Unmarshal(got, &back); err != nil {
				t.Fatalf("read back %s: %v", got, err)
			}
			if back != a {
				t.Errorf("round trip\n got %+v\nwant %+v", back, a)
			}
			var list []topo.Allocation
			if err := json.Unmarshal([]byte("["+string(got)+","+string(got)+"]"), &list); err != nil || len(list) != 2 || list[1] != a {
				t.Errorf("a list: %v %+v", err, list)
			}
		})
	}
}

// TestAllocationJSONIndented is the form `-o json` prints, indented.
func TestAllocationJSONIndented(t *testing.T) {
	a := topo.Allocation{Address: netip.MustParseAddr("10.0.0.5"), Subnet: netip.MustParsePrefix("10.0.0.0/24"),
		Purpose: "default", Node: "node-01", TOR: "tor-1", Gateway: netip.MustParseAddr("10.0.0.1"),
		Container: "c2", IfName: "eth0", PodNS: "web", PodName: "web-1"}
	got, err := json.MarshalIndent([]topo.Allocation{a}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	want := `[
  {
    "address": "10.0.0.5",
    "cidr": "10.0.0.5/24",
    "prefix_length": 24,
    "gateway": "10.0.0.1",
    "subnet": "10.0.0.0/24",
    "family": 4,
    "purpose": "default",
    "node": "node-01",
    "tor": "tor-1",
    "container": "c2",
    "ifname": "eth0",
    "pod": "web/web-1"
  }
]`
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// TestAllocationJSONRefused: decoding is strict and the derived fields
// must agree with address and subnet; each refusal says what is wrong.
func TestAllocationJSONRefused(t *testing.T) {
	const good = `"address":"10.244.0.3","cidr":"10.244.0.3/22","prefix_length":22,"subnet":"10.244.0.0/22","family":4,"purpose":"default","node":"n","tor":"t"`
	var a topo.Allocation
	if err := json.Unmarshal([]byte("{"+good+"}"), &a); err != nil {
		t.Fatalf("the good form: %v", err)
	}
	for _, c := range []struct{ name, in, want string }{
		{"unknown key", `{` + good + `,"colour":"red"}`, `unknown key "colour"`},
		{"the API's old key", `{` + good + `,"at":"2026-11-19T14:00:00Z"}`, `unknown key "at"`},
		{"case variant", `{` + strings.Replace(good, `"node"`, `"Node"`, 1) + `}`, `write it "node"`},
		{"key twice", `{` + good + `,"node":"m"}`, `key "node" is given twice`},
		{"no address", `{` + strings.Replace(good, `"address":"10.244.0.3",`, ``, 1) + `}`, "address"},
		{"bad address", `{` + strings.Replace(good, `"10.244.0.3"`, `"10.244.0.300"`, 1) + `}`, "address"},
		{"bad subnet", `{` + strings.Replace(good, `"10.244.0.0/22"`, `"10.244.0.0/33"`, 1) + `}`, "subnet"},
		{"cidr disagrees", `{` + strings.Replace(good, `"10.244.0.3/22"`, `"10.244.0.4/22"`, 1) + `}`, "cidr"},
		{"prefix_length disagrees", `{` + strings.Replace(good, `:22,`, `:24,`, 1) + `}`, "prefix_length 24: the subnet's is 22"},
		{"family disagrees", `{` + strings.Replace(good, `"family":4`, `"family":6`, 1) + `}`, "family 6"},
		{"families mixed", `{"address":"fd00::3","cidr":"fd00::3/22","prefix_length":22,"subnet":"10.244.0.0/22","family":6,"purpose":"default","node":"n","tor":"t"}`, "different families"},
		{"bad gateway", `{` + good + `,"gateway":"x"}`, "gateway"},
		{"pod without slash", `{` + good + `,"pod":"web-0"}`, "namespace/name"},
		{"wrong type", `{` + strings.Replace(good, `"family":4`, `"family":"4"`, 1) + `}`, "family"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var a topo.Allocation
			err := json.Unmarshal([]byte(c.in), &a)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error with %q", err, c.want)
			}
		})
	}
	if _, err := json.Marshal(topo.Allocation{}); err == nil {
		t.Error("a zero allocation was written: it has no address")
	}
	err := json.Unmarshal([]byte(`{`+strings.Replace(good, `"family":4`, `"family":6`, 1)+`}`), &a)
	if !errors.Is(err, topo.ErrInvalid) {
		t.Errorf("a disagreeing field is not invalid input: %v", err)
	}
}
