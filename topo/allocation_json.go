package topo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/netipam/netipam/strictjson"
)

// An allocation has one JSON form, the one `netipam alloc -o json` has
// always printed and scripts read: the API sends and receives it, and a gc
// report nests it. Its field names, order and omissions are stable:
//
//	{"address": "10.244.0.3", "cidr": "10.244.0.3/22", "prefix_length": 22,
//	 "gateway": "10.244.0.1", "subnet": "10.244.0.0/22", "family": 4,
//	 "purpose": "default", "node": "node-01", "tor": "tor-a",
//	 "container": "c1", "ifname": "eth0", "network": "net1",
//	 "pod": "default/web-0", "allocated_at": "2026-11-19T14:00:00Z"}
//
// cidr, prefix_length and family are derived from address and subnet;
// gateway is left out when there is none; container, ifname, network and
// pod ("namespace/name") when empty; allocated_at when unknown.
type allocationJSON struct {
	Address     string    `json:"address"`
	CIDR        string    `json:"cidr"`
	PrefixLen   int       `json:"prefix_length"`
	Gateway     string    `json:"gateway,omitempty"`
	Subnet      string    `json:"subnet"`
	Family      int       `json:"family"`
	Purpose     Purpose   `json:"purpose"`
	Node        string    `json:"node"`
	TOR         string    `json:"tor"`
	Container   string    `json:"container,omitempty"`
	IfName      string    `json:"ifname,omitempty"`
	Network     string    `json:"network,omitempty"`
	Pod         string    `json:"pod,omitempty"`
	AllocatedAt time.Time `json:"allocated_at,omitzero"`
}

// CIDR is the address with its subnet's length, as an interface is given
// it (10.244.0.3/22).
func (a Allocation) CIDR() netip.Prefix {
	return netip.PrefixFrom(a.Address, a.Subnet.Bits())
}

// Pod is "namespace/name", or empty when the allocation names no pod.
func (a Allocation) Pod() string {
	if a.PodNS == "" && a.PodName == "" {
		return ""
	}
	return a.PodNS + "/" + a.PodName
}

// MarshalJSON writes the allocation's one JSON form. HTML characters are
// left as they are: the encoder that holds the value decides.
func (a Allocation) MarshalJSON() ([]byte, error) {
	if !a.Address.IsValid() || !a.Subnet.IsValid() || a.Address.BitLen() != a.Subnet.Addr().BitLen() {
		return nil, fmt.Errorf("allocation JSON: address %s in subnet %s: an allocation needs both, of one family", a.Address, a.Subnet)
	}
	j := allocationJSON{
		Address: a.Address.String(), CIDR: a.CIDR().String(), PrefixLen: a.Subnet.Bits(), Subnet: a.Subnet.String(),
		Family: int(FamilyOf(a.Address)), Purpose: a.Purpose, Node: a.Node, TOR: a.TOR, Container: a.Container,
		IfName: a.IfName, Network: a.Network, Pod: a.Pod(), AllocatedAt: a.At,
	}
	if a.Gateway.IsValid() {
		j.Gateway = a.Gateway.String()
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(j); err != nil {
		return nil, fmt.Errorf("allocation JSON %s: %w", a.Address, err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// UnmarshalJSON reads the allocation's JSON form strictly (see package
// strictjson: unknown, repeated or case-variant keys are refused) and
// checks that cidr, prefix_length and family agree with address and
// subnet.
func (a *Allocation) UnmarshalJSON(data []byte) error {
	var j allocationJSON
	if err := strictjson.Decode(data, &j, strictjson.Options{}); err != nil {
		return fmt.Errorf("allocation JSON: %w", err)
	}
	out, err := j.allocation()
	if err != nil {
		return Errorf(ErrInvalid, "allocation JSON %.60q: %w: write the form `netipam alloc -o json` prints", j.Address, err)
	}
	*a = out
	return nil
}

func (j allocationJSON) allocation() (Allocation, error) {
	addr, err := netip.ParseAddr(j.Address)
	if err != nil {
		return Allocation{}, fmt.Errorf("address: %w", err)
	}
	subnet, err := netip.ParsePrefix(j.Subnet)
	if err != nil {
		return Allocation{}, fmt.Errorf("subnet: %w", err)
	}
	a := Allocation{Address: addr, Subnet: subnet, Purpose: j.Purpose, Node: j.Node, TOR: j.TOR,
		Container: j.Container, IfName: j.IfName, Network: j.Network, At: j.AllocatedAt}
	if j.Gateway != "" {
		if a.Gateway, err = netip.ParseAddr(j.Gateway); err != nil {
			return Allocation{}, fmt.Errorf("gateway: %w", err)
		}
	}
	if j.Pod != "" {
		ns, name, ok := strings.Cut(j.Pod, "/")
		if !ok {
			return Allocation{}, fmt.Errorf("pod %.60q: write it namespace/name", j.Pod)
		}
		a.PodNS, a.PodName = ns, name
	}
	switch {
	case addr.BitLen() != subnet.Addr().BitLen():
		return Allocation{}, fmt.Errorf("address %s and subnet %s are of different families", addr, subnet)
	case j.CIDR != a.CIDR().String():
		return Allocation{}, fmt.Errorf("cidr %.60q: address and subnet make %s", j.CIDR, a.CIDR())
	case j.PrefixLen != subnet.Bits():
		return Allocation{}, fmt.Errorf("prefix_length %d: the subnet's is %d", j.PrefixLen, subnet.Bits())
	case j.Family != int(FamilyOf(addr)):
		return Allocation{}, fmt.Errorf("family %d: the address's is %d", j.Family, FamilyOf(addr))
	}
	return a, nil
}
