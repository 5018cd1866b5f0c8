package cmd

import (
	"math"
	"testing"
)

func TestHumanCount(t *testing.T) {
	for _, tt := range []struct {
		n    uint64
		want string
	}{
		{0, "0"},
		{252, "252"},
		{65534, "65534"},
		{99_999, "99999"},
		{100_000, "100,000"},
		{262_141, "262,141"},
		{16_777_214, "16,777,214"},
		{4_294_967_294, "4,294,967,294"},
		{1<<40 - 1, "1,099,511,627,775"},
		{1 << 40, "2^40"},
		{1<<64 - 2, "~2^64"},             // an IPv6 /64 less anycast and gateway
		{1<<63 + 1<<62, "~1.5x2^63"},     // a /64 and a /65's worth
		{1<<56 - 256, "~2^56"},           // 256 /64s' worth is beyond uint64; a /72 is not
		{math.MaxUint64, ">=2^64"},       // a saturated sum of /64s
		{1<<62 + 1<<62 - 1<<50, "~2^63"}, // rounds up to the next power
	} {
		if got := humanCount(tt.n); got != tt.want {
			t.Errorf("humanCount(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestPercent(t *testing.T) {
	for _, tt := range []struct {
		used, capacity uint64
		want           string
	}{
		{0, 0, "-"},
		{0, 252, "0.0%"},
		{2, 252, "0.8%"},
		{252, 252, "100.0%"},
		{3, 1<<64 - 2, "<0.1%"},       // a few addresses of a /64 are not 0.0%
		{1 << 62, 1<<64 - 2, "25.0%"}, // huge numbers stay sane
		{1, math.MaxUint64, "<0.1%"},
	} {
		if got := percent(tt.used, tt.capacity); got != tt.want {
			t.Errorf("percent(%d, %d) = %q, want %q", tt.used, tt.capacity, got, tt.want)
		}
	}
}
