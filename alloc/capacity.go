package alloc

import "github.com/netipam/netipam/topo"

// Capacity gives the number of addresses a subnet can hand out: its size
// less network, broadcast, gateway and excluded addresses. A subnet no
// pool accepts (a stored row no import would write: an IPv4 /31, a
// gateway outside it; `netipam check` reports it) has none: it is never
// allocated from, and the rest of its TOR is served as if it were full.
func Capacity(s topo.Subnet) (uint64, error) {
	p, err := NewPool(s.CIDR, s.Gateway, s.Exclude)
	if err != nil {
		return 0, nil
	}
	return p.Capacity(), nil
}
