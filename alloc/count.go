package alloc

import (
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"
)

// AddrCount is a number of addresses summed over subnets: 128 bits, since
// two IPv6 /64s already hold more than 2^64 addresses. JSON carries it as
// an exact number.
type AddrCount struct{ Hi, Lo uint64 }

// CountOf is n as an AddrCount.
func CountOf(n uint64) AddrCount { return AddrCount{Lo: n} }

// Add is c + n.
func (c AddrCount) Add(n uint64) AddrCount {
	lo, carry := bits.Add64(c.Lo, n, 0)
	return AddrCount{Hi: c.Hi + carry, Lo: lo}
}

// IsZero says whether c is 0.
func (c AddrCount) IsZero() bool { return c.Hi == 0 && c.Lo == 0 }

// Float is c, rounded to a float64.
func (c AddrCount) Float() float64 { return float64(c.Hi)*math.Ldexp(1, 64) + float64(c.Lo) }

// BitLen is the number of bits needed to write c.
func (c AddrCount) BitLen() int {
	if c.Hi > 0 {
		return 64 + bits.Len64(c.Hi)
	}
	return bits.Len64(c.Lo)
}

// String writes c in decimal, exactly.
func (c AddrCount) String() string {
	if c.Hi == 0 {
		return strconv.FormatUint(c.Lo, 10)
	}
	// c = q * 10^19 + r, then q (below 2^128 / 10^19 < 2^65) the same way.
	const e19 = 10_000_000_000_000_000_000
	var parts []string
	for c.Hi > 0 {
		qHi := c.Hi / e19
		qLo, r := bits.Div64(c.Hi%e19, c.Lo, e19)
		parts = append(parts, strconv.FormatUint(r, 10))
		c = AddrCount{Hi: qHi, Lo: qLo}
	}
	var b strings.Builder
	b.WriteString(strconv.FormatUint(c.Lo, 10))
	for i := len(parts) - 1; i >= 0; i-- {
		b.WriteString(strings.Repeat("0", 19-len(parts[i])))
		b.WriteString(parts[i])
	}
	return b.String()
}

// MarshalJSON writes c as an exact JSON number.
func (c AddrCount) MarshalJSON() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalJSON reads an exact JSON number (decimal digits) below 2^128.
func (c *AddrCount) UnmarshalJSON(b []byte) error {
	if len(b) == 0 || len(b) > 39 {
		return fmt.Errorf("address count %.50q: want a whole number below 2^128", b)
	}
	var n AddrCount
	for _, d := range b {
		if d < '0' || d > '9' {
			return fmt.Errorf("address count %.50q: want a whole number below 2^128", b)
		}
		// n = n*10 + d, 128 bits
		hiHi, hiLo := bits.Mul64(n.Hi, 10)
		loHi, loLo := bits.Mul64(n.Lo, 10)
		hi, carry := bits.Add64(hiLo, loHi, 0)
		if hiHi != 0 || carry != 0 {
			return fmt.Errorf("address count %.50q: want a whole number below 2^128", b)
		}
		lo, c2 := bits.Add64(loLo, uint64(d-'0'), 0)
		hi, c3 := bits.Add64(hi, 0, c2)
		if c3 != 0 {
			return fmt.Errorf("address count %.50q: want a whole number below 2^128", b)
		}
		n = AddrCount{Hi: hi, Lo: lo}
	}
	*c = n
	return nil
}
