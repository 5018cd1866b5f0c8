package alloc

import (
	"net/netip"
	"slices"

	"github.com/netipam/netipam/topo"
)

// A pool is built for one definition of its subnet: the gateway and the
// excluded ranges it never hands out. When the topology changes them (an
// import adds an exclude, moves the gateway, a subnet is removed and added
// again otherwise), a long-lived allocator must not go on proposing from
// the old definition: the database would refuse every such candidate, and
// the allocator would lose its attempts to what looks like concurrent
// allocators. A pool whose definition differs from the subnet's is
// rebuilt from the ledger (load, and resync on the change feed).

// Defines reports whether the pool was built for this gateway and these
// excluded ranges (in any order). It does not allocate.
func (p *Pool) Defines(gateway netip.Addr, exclude []netip.Prefix) bool {
	if p.gateway != gateway || len(p.exclude) != len(exclude) {
		return false
	}
	for _, x := range exclude { // a handful of ranges: a scan costs less than a set
		if !slices.Contains(p.exclude, x) {
			return false
		}
	}
	return true
}

// definedBy reports whether p was built for subnet s.
func definedBy(p *Pool, s topo.Subnet) bool { return p.Defines(s.Gateway, s.Exclude) }
