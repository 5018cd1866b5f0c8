package alloc

// Least returns the pool with the lowest Ratio() that is not Full, the first
// one on a tie, and nil if every pool is full (or pools is empty). Nil pools
// are skipped.
func Least(pools []*Pool) *Pool {
	var best *Pool
	var ratio float64
	for _, p := range pools {
		if p == nil || p.Full() {
			continue
		}
		if r := p.Ratio(); best == nil || r < ratio {
			best, ratio = p, r
		}
	}
	return best
}
