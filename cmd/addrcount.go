package cmd

import (
	"math"
	"math/bits"
	"strconv"
	"strings"
)

// addrCount is a number of addresses summed over subnets: 128 bits, since
// two IPv6 /64s already hold more than 2^64 addresses. JSON carries it as
// an exact number.
type addrCount struct{ hi, lo uint64 }

func countOf(n uint64) addrCount { return addrCount{lo: n} }

func (c addrCount) add(n uint64) addrCount {
	lo, carry := bits.Add64(c.lo, n, 0)
	return addrCount{hi: c.hi + carry, lo: lo}
}

func (c addrCount) isZero() bool { return c.hi == 0 && c.lo == 0 }

func (c addrCount) float() float64 { return float64(c.hi)*math.Ldexp(1, 64) + float64(c.lo) }

// bitLen is the number of bits needed to write c.
func (c addrCount) bitLen() int {
	if c.hi > 0 {
		return 64 + bits.Len64(c.hi)
	}
	return bits.Len64(c.lo)
}

// String writes c in decimal, exactly.
func (c addrCount) String() string {
	if c.hi == 0 {
		return strconv.FormatUint(c.lo, 10)
	}
	// c = q * 10^19 + r, then q (below 2^128 / 10^19 < 2^65) the same way.
	const e19 = 10_000_000_000_000_000_000
	var parts []string
	for c.hi > 0 {
		qHi := c.hi / e19
		qLo, r := bits.Div64(c.hi%e19, c.lo, e19)
		parts = append(parts, strconv.FormatUint(r, 10))
		c = addrCount{hi: qHi, lo: qLo}
	}
	var b strings.Builder
	b.WriteString(strconv.FormatUint(c.lo, 10))
	for i := len(parts) - 1; i >= 0; i-- {
		b.WriteString(strings.Repeat("0", 19-len(parts[i])))
		b.WriteString(parts[i])
	}
	return b.String()
}

func (c addrCount) MarshalJSON() ([]byte, error) { return []byte(c.String()), nil }
