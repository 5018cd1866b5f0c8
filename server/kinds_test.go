package server

import (
	"slices"
	"testing"

	"github.com/netipam/netipam/topo"
)

// TestMetricResultsFromKinds: every kind's result is a value the result
// label allows (a bounded label set), and ResultOf gives it.
func TestMetricResultsFromKinds(t *testing.T) {
	for _, k := range topo.Kinds {
		if !slices.Contains(results, k.Result) {
			t.Errorf("%s: result %q is not one of the label's values %v", k.Name, k.Result, results)
		}
		if k.Err != nil {
			if got := ResultOf(topo.Errorf(k.Err, "x")); got != k.Result {
				t.Errorf("%s: ResultOf gave %q, want %q", k.Name, got, k.Result)
			}
		}
	}
}
