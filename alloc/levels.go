package alloc

import "github.com/netipam/netipam/topo"

// Nearest is Least over the nearest level that has room: the pools of the
// node's TOR's subnets first, then its pod's, then its zone's (the Level
// of subnets[i] is that of pools[i]). It allocates nothing.
func Nearest(subnets []topo.Subnet, pools []*Pool) *Pool {
	for rank := range len(topo.Levels) {
		var best *Pool
		var ratio float64
		for i, p := range pools {
			if p == nil || subnets[i].Level.Rank() != rank || p.Full() {
				continue
			}
			if r := p.Ratio(); best == nil || r < ratio {
				best, ratio = p, r
			}
		}
		if best != nil {
			return best
		}
	}
	return nil
}
