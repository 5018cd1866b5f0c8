package alloc

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/netipam/netipam/topo"
)

// TestRequestValidate: the one check of a request, as every path makes it.
func TestRequestValidate(t *testing.T) {
	ip := netip.MustParseAddr("10.0.0.1")
	many := make([]netip.Addr, topo.MaxAddresses+1)
	for i := range many {
		many[i] = netip.AddrFrom4([4]byte{10, 1, byte(i >> 8), byte(i)})
	}
	purposes := make([]topo.Purpose, topo.MaxPurposes+1)
	for i := range purposes {
		purposes[i] = "p" + strings.Repeat("x", i%30) + string(rune('a'+i/30))
	}
	for _, tc := range []struct {
		name string
		req  Request
		want string // "" for valid
	}{
		{"plain", Request{Node: "n1"}, ""},
		{"count max", Request{Node: "n1", Count: topo.MaxCount}, ""},
		{"cni", Request{Node: "n1", Network: "net", Container: "c1", IfName: "eth0", Purposes: []topo.Purpose{"default", "storage"}}, ""},
		{"no node", Request{}, "node"},
		{"count over", Request{Node: "n1", Count: topo.MaxCount + 1}, "count 65537"},
		{"count negative", Request{Node: "n1", Count: -5}, "count -5"},
		{"count times purposes", Request{Node: "n1", Count: 40000, Purposes: []topo.Purpose{"a", "b"}}, "count 40000 for 2 purposes"},
		{"count with container", Request{Node: "n1", Count: 2, Container: "c1", IfName: "eth0"}, "count 2"},
		{"count with ips", Request{Node: "n1", Count: 2, IPs: []netip.Addr{ip}}, "count 2"},
		{"purpose twice", Request{Node: "n1", Purposes: []topo.Purpose{"default", "default"}}, `"default" is given twice`},
		{"purpose empty", Request{Node: "n1", Purposes: []topo.Purpose{""}}, "not a purpose"},
		{"too many purposes", Request{Node: "n1", Purposes: purposes}, "purposes: 65 entries"},
		{"family", Request{Node: "n1", Family: 5}, "family 5"},
		{"ip twice", Request{Node: "n1", IPs: []netip.Addr{ip, ip}}, "10.0.0.1 is given twice"},
		{"ip empty", Request{Node: "n1", IPs: []netip.Addr{{}}}, "empty address"},
		{"too many ips", Request{Node: "n1", IPs: many}, "ips: 10001 entries"},
		{"node control character", Request{Node: "n\x01"}, "control character"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.req.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Validate: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, topo.ErrInvalid)):
				t.Fatalf("Validate: %v, want an invalid error with %q", err, tc.want)
			}
		})
	}
}
