package cni

import (
	"context"
	"fmt"
	"testing"

	"github.com/netipam/netipam/topo"
)

// TestCNICodesFromKinds: the plugin answers each error kind with its CNI
// code from topo.Kinds; a bad config is 7 whatever it wraps.
func TestCNICodesFromKinds(t *testing.T) {
	for _, k := range topo.Kinds {
		err := fmt.Errorf("no kind")
		if k.Err != nil {
			err = topo.Errorf(k.Err, "something %s", k.Name)
		}
		if got := cniError("ADD", err).Code; got != k.CNI {
			t.Errorf("%s: code %d, want %d", k.Name, got, k.CNI)
		}
	}
	if got := cniError("ADD", configError{topo.Errorf(topo.ErrConflict, "x")}).Code; got != codeInvalidConfig {
		t.Errorf("a config error: code %d, want %d", got, codeInvalidConfig)
	}
	if got := cniError("ADD", fmt.Errorf("call: %w", context.DeadlineExceeded)).Code; got != 11 {
		t.Errorf("a deadline: code %d, want 11 (try again later)", got)
	}
}
