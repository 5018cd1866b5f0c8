package cmd

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/netipam/netipam/alloc"
)

func TestHumanCount(t *testing.T) {
	for _, tt := range []struct {
		c    alloc.AddrCount
		want string
	}{
		{alloc.CountOf(0), "0"},
		{alloc.CountOf(252), "252"},
		{alloc.CountOf(65534), "65534"},
		{alloc.CountOf(99_999), "99999"},
		{alloc.CountOf(100_000), "100,000"},
		{alloc.CountOf(262_141), "262,141"},
		{alloc.CountOf(16_777_214), "16,777,214"},
		{alloc.CountOf(4_294_967_294), "4,294,967,294"},
		{alloc.CountOf(1<<40 - 1), "1,099,511,627,775"},
		{alloc.CountOf(1 << 40), "2^40"},
		{alloc.CountOf(1<<64 - 2), "~2^64"},                  // an IPv6 /64 less anycast and gateway
		{alloc.CountOf(1<<63 + 1<<62), "~1.5x2^63"},          // a /65 and a /66's worth
		{alloc.CountOf(1<<56 - 256), "~2^56"},                // a /72 less its reserved addresses
		{alloc.CountOf(1<<64 - 2).Add(1<<64 - 2), "~2^65"},   // two /64s: past 64 bits
		{alloc.AddrCount{Hi: 1}, "2^64"},                     // exactly
		{alloc.AddrCount{Hi: 2}.Add(1<<64 - 2), "~1.5x2^65"}, // three /64s
		{alloc.CountOf(1<<62 + 1<<62 - 1<<50), "~2^63"},      // rounds up to the next power
	} {
		if got := humanCount(tt.c); got != tt.want {
			t.Errorf("humanCount(%v) = %q, want %q", tt.c, got, tt.want)
		}
	}
}

// TestAddrCountExact: sums past 2^64 stay exact, in text and in JSON.
func TestAddrCountExact(t *testing.T) {
	for _, tt := range []struct {
		c    alloc.AddrCount
		want string
	}{
		{alloc.CountOf(0), "0"},
		{alloc.CountOf(math.MaxUint64), "18446744073709551615"},
		{alloc.CountOf(math.MaxUint64).Add(1), "18446744073709551616"},
		{alloc.CountOf(1<<64 - 2).Add(1<<64 - 2), "36893488147419103228"},
		{alloc.AddrCount{Hi: 1e19/2 + 1, Lo: 7}, "92233720368547758098446744073709551623"},
		{alloc.AddrCount{Hi: math.MaxUint64, Lo: math.MaxUint64}, "340282366920938463463374607431768211455"},
	} {
		if got := tt.c.String(); got != tt.want {
			t.Errorf("%#v.String() = %s, want %s", tt.c, got, tt.want)
		}
		b, err := json.Marshal(struct {
			C alloc.AddrCount `json:"c"`
		}{tt.c})
		if err != nil || string(b) != `{"c":`+tt.want+`}` {
			t.Errorf("json of %#v = %s (%v), want the exact number", tt.c, b, err)
		}
	}
}

func TestPercent(t *testing.T) {
	for _, tt := range []struct {
		used     uint64
		capacity alloc.AddrCount
		want     string
	}{
		{0, alloc.CountOf(0), "-"},
		{0, alloc.CountOf(252), "0.0%"},
		{2, alloc.CountOf(252), "0.8%"},
		{252, alloc.CountOf(252), "100.0%"},
		{3, alloc.CountOf(1<<64 - 2), "<0.1%"},       // a few addresses of a /64 are not 0.0%
		{1 << 62, alloc.CountOf(1<<64 - 2), "25.0%"}, // huge numbers stay sane
		{1 << 62, alloc.AddrCount{Hi: 1}, "25.0%"},
		{1 << 63, alloc.AddrCount{Hi: 2}, "25.0%"},
	} {
		if got := percent(tt.used, tt.capacity); got != tt.want {
			t.Errorf("percent(%d, %v) = %q, want %q", tt.used, tt.capacity, got, tt.want)
		}
	}
}
