package api

import (
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"testing"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/topo"
)

// TestKindsRoundTrip: every kind an error carries comes back the same
// kind on the client side, with the table's status.
func TestKindsRoundTrip(t *testing.T) {
	for _, k := range topo.Kinds {
		if k.Err == nil {
			continue // internal: below
		}
		err := fmt.Errorf("wrapped: %w", topo.Errorf(k.Err, "something %s", k.Name))
		name, status := KindOf(err)
		if name != k.Name || status != k.HTTP {
			t.Errorf("%v: KindOf gave %s %d, want %s %d", k.Err, name, status, k.Name, k.HTTP)
		}
		if back := KindNamed(name); !errors.Is(topo.Errorf(back, "x"), k.Err) {
			t.Errorf("%s: came back as %v", name, back)
		}
	}
	for _, tc := range []struct {
		err    error
		name   string
		status int
	}{
		{errors.New("boom"), "internal", http.StatusInternalServerError},
		{topo.Errors{}, "invalid", http.StatusBadRequest},
		{&alloc.NotInRangeError{Addr: netip.MustParseAddr("10.0.0.1"), Prefix: netip.MustParsePrefix("10.1.0.0/24")}, "invalid", http.StatusBadRequest},
		{fmt.Errorf("open: %w", topo.ErrNoStore), "no_store", http.StatusInternalServerError},
	} {
		if name, status := KindOf(tc.err); name != tc.name || status != tc.status {
			t.Errorf("%v: %s %d, want %s %d", tc.err, name, status, tc.name, tc.status)
		}
	}
	if got := KindNamed("no-such-kind"); got != ErrInternal {
		t.Errorf("an unknown kind name came back as %v", got)
	}
}
