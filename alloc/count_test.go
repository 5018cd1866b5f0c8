package alloc

import (
	"encoding/json"
	"math"
	"testing"
)

func TestAddrCountJSONRoundTrip(t *testing.T) {
	for _, c := range []AddrCount{
		{}, CountOf(252), CountOf(math.MaxUint64).Add(1),
		{Hi: 1e19/2 + 1, Lo: 7}, {Hi: math.MaxUint64, Lo: math.MaxUint64},
	} {
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		var got AddrCount
		if err := json.Unmarshal(b, &got); err != nil || got != c {
			t.Errorf("%s: round trip gave %v, %v", b, got, err)
		}
	}
	for _, bad := range []string{`-1`, `1.5`, `"1"`, `340282366920938463463374607431768211456`, `1e3`} {
		var got AddrCount
		if err := json.Unmarshal([]byte(bad), &got); err == nil {
			t.Errorf("%s: accepted as %v", bad, got)
		}
	}
}
