package alloc

import "github.com/netipam/netipam/topo"

// Capacity gives the number of addresses a subnet can hand out: its size
// less network, broadcast, gateway and excluded addresses.
func Capacity(s topo.Subnet) (uint64, error) {
	p, err := NewPool(s.CIDR, s.Gateway, s.Exclude)
	if err != nil {
		return 0, err
	}
	return p.Capacity(), nil
}
