package cmd

import (
	"fmt"
	"math"
	"math/bits"
	"strconv"

	"github.com/netipam/netipam/alloc"
)

// humanCount writes an address count as people do, for a terminal:
//
//	65534                 below 100,000: the number
//	16,777,214            up to 2^40: grouped by thousands
//	~2^64, 2^40           beyond: a power of two (~ unless exact)
//	~1.5x2^65             or a multiple of one
//
// An IPv6 /64 holds 2^64 addresses less the reserved ones (subnet-router
// anycast, gateway, excludes), so it reads ~2^64; two of them ~2^65. JSON,
// CSV and piped output keep the exact number (see app.count).
func humanCount(c alloc.AddrCount) string {
	switch {
	case c.Hi == 0 && c.Lo < 100_000:
		return strconv.FormatUint(c.Lo, 10)
	case c.Hi == 0 && c.Lo < 1<<40:
		return grouped(c.Lo)
	}
	k := c.BitLen() - 1 // 2^k <= c < 2^(k+1)
	if bits.OnesCount64(c.Hi)+bits.OnesCount64(c.Lo) == 1 {
		return fmt.Sprintf("2^%d", k)
	}
	switch m := math.Round(c.Float()/math.Ldexp(1, k)*10) / 10; {
	case m >= 2:
		return fmt.Sprintf("~2^%d", k+1)
	case m == 1:
		return fmt.Sprintf("~2^%d", k)
	default:
		return fmt.Sprintf("~%.1fx2^%d", m, k)
	}
}

// grouped writes n with a comma between groups of three digits.
func grouped(n uint64) string {
	s := strconv.FormatUint(n, 10)
	out := make([]byte, 0, len(s)+len(s)/3)
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}

// count writes an address count for this output: human on a terminal,
// exact for scripts (piped text, CSV; JSON carries numbers).
func (a *app) count(n uint64) string { return a.total(alloc.CountOf(n)) }

// total is count for a sum over subnets.
func (a *app) total(c alloc.AddrCount) string {
	if a.io.TTY && a.output != "csv" {
		return humanCount(c)
	}
	return c.String()
}

// percent is used as a share of capacity, one decimal. A few addresses of
// an IPv6 /64 are not 0.0%: a share below 0.1% reads <0.1%.
func percent(used uint64, capacity alloc.AddrCount) string {
	if capacity.IsZero() {
		return "-"
	}
	p := 100 * float64(used) / capacity.Float()
	if used > 0 && p < 0.05 {
		return "<0.1%"
	}
	return fmt.Sprintf("%.1f%%", p)
}
