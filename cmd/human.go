package cmd

import (
	"fmt"
	"math"
	"math/bits"
	"strconv"
)

// humanCount writes an address count as people do, for a terminal:
//
//	65534                 below 100,000: the number
//	16,777,214            up to 2^40: grouped by thousands
//	~2^64, 2^40           beyond: a power of two (~ unless exact)
//	~1.5x2^63             or a multiple of one
//	>=2^64                a sum of IPv6 subnets past what 64 bits count
//
// An IPv6 /64 holds 2^64 addresses less the reserved ones (subnet-router
// anycast, gateway, excludes), so it reads ~2^64. JSON, CSV and piped
// output keep the exact number (see app.count).
func humanCount(n uint64) string {
	switch {
	case n < 100_000:
		return strconv.FormatUint(n, 10)
	case n < 1<<40:
		return grouped(n)
	case n == math.MaxUint64:
		return ">=2^64" // the sum saturated: at least 2^64
	}
	k := bits.Len64(n) - 1 // 2^k <= n < 2^(k+1)
	if n == 1<<k {
		return fmt.Sprintf("2^%d", k)
	}
	f := float64(n) / math.Ldexp(1, k) // 1 <= f < 2
	switch m := math.Round(f*10) / 10; {
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
func (a *app) count(n uint64) string {
	if a.io.TTY && a.output != "csv" {
		return humanCount(n)
	}
	return strconv.FormatUint(n, 10)
}

// percent is used as a share of capacity, one decimal. A few addresses of
// an IPv6 /64 are not 0.0%: a share below 0.1% reads <0.1%.
func percent(used, capacity uint64) string {
	if capacity == 0 {
		return "-"
	}
	p := 100 * float64(used) / float64(capacity)
	if used > 0 && p < 0.05 {
		return "<0.1%"
	}
	return fmt.Sprintf("%.1f%%", p)
}
