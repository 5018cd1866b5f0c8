package strictjson

import (
	"net/netip"
	"strings"
	"testing"
)

type inner struct {
	Name string `json:"name"`
}

type embedded struct {
	Addresses []netip.Addr `json:"addresses"`
	Node      *string      `json:"node"`
}

type body struct {
	embedded
	Kind    string            `json:"kind"`
	Count   int               `json:"count"`
	Items   []inner           `json:"items"`
	Labels  map[string]string `json:"labels"`
	Ptr     *inner            `json:"ptr"`
	Any     any               `json:"any"`
	skipped int
}

func TestDecode(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		o        Options
		want     string // in the error; "" for success
	}{
		{"plain", `{"kind":"a","count":2,"node":"n","addresses":["10.0.0.1"],"items":[{"name":"x"}],"labels":{"a":"1","A":"2"}}`, Options{}, ""},
		{"duplicate", `{"kind":"a","kind":"b"}`, Options{}, `key "kind" is given twice at the top level`},
		{"duplicate promoted", `{"node":"a","node":"b"}`, Options{}, `key "node" is given twice`},
		{"case variant", `{"Kind":"a"}`, Options{}, `write it "kind"`},
		{"case variant promoted", `{"NODE":"a"}`, Options{}, `write it "node"`},
		{"case variant allowed unknown", `{"Kind":"a"}`, Options{AllowUnknown: true}, `write it "kind"`},
		{"nested duplicate", `{"items":[{"name":"a"},{"name":"a","name":"b"}]}`, Options{}, `is given twice in items[1]`},
		{"nested case", `{"ptr":{"Name":"a"}}`, Options{}, `key "Name" in ptr: write it "name"`},
		{"map duplicate", `{"labels":{"a":"1","a":"2"}}`, Options{}, `key "a" is given twice in labels`},
		{"any duplicate", `{"any":{"x":{"y":1,"y":2}}}`, Options{}, `key "y" is given twice in any.x`},
		{"unknown", `{"colour":"red"}`, Options{}, `unknown key "colour" at the top level`},
		{"unknown allowed", `{"colour":{"a":1}}`, Options{AllowUnknown: true}, ""},
		{"unknown allowed, not looked into", `{"colour":{"a":1,"a":2},"colour":[]}`, Options{AllowUnknown: true}, ""},
		{"unknown allowed, known twice", `{"colour":1,"kind":"a","kind":"b"}`, Options{AllowUnknown: true}, `key "kind" is given twice`},
		{"unexported", `{"skipped":1}`, Options{}, `unknown key "skipped"`},
		{"trailing", `{"kind":"a"}{}`, Options{}, "more data after"},
		{"truncated", `{"kind":`, Options{}, "JSON"},
		{"empty", ``, Options{}, "empty"},
		{"too deep", `{"any":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`, Options{}, "nested deeper"},
		{"wrong type", `{"count":"two"}`, Options{}, "cannot unmarshal"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b body
			err := Decode([]byte(tc.in), &b, tc.o)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Decode(%s): %v", tc.in, err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("Decode(%s): %v, want an error with %q", tc.in, err, tc.want)
			}
		})
	}
}

// FuzzCheck: Check never panics, and what it accepts encoding/json reads.
func FuzzCheck(f *testing.F) {
	f.Add(`{"kind":"a","items":[{"name":"x"}]}`)
	f.Add(`{"kind":"a","kind":"b"}`)
	f.Fuzz(func(t *testing.T, in string) {
		var b body
		_ = Decode([]byte(in), &b, Options{})
	})
}
