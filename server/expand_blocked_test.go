package server_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/ipam/local"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/store/storetest"
)

// A TOR past the threshold in a pod with no room is reported by
// ExpansionBlocked and by ipam_expansion_blocked as soon as the threshold
// is reached, before it runs dry; below the threshold, it is not.
func TestExpansionBlocked(t *testing.T) {
	url := "sqlite://" + filepath.Join(t.TempDir(), "netipam.db")
	// The pod is t1's and t2's /28s exactly: nothing left to carve.
	full := strings.Replace(storetest.ExpandTopology, "cidr: 10.9.0.0/24", "cidr: 10.9.0.0/27", 1)
	storetest.SeedExpand(t, url, full, 10)
	ctx := context.Background()
	st, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m, _ := newMetrics(t, st)
	if bs, err := local.ExpansionBlocked(ctx, st); err != nil || len(bs) != 0 {
		t.Fatalf("below the threshold: blocked %+v, %v; want none", bs, err)
	}
	if e := scrape(t, m.Handler()); e["ipam_expansion_blocked"] != nil {
		t.Error("ipam_expansion_blocked served below the threshold")
	}
	if _, err := (local.Service{Store: st}).Allocate(ctx, alloc.Request{Node: "n1"}); err != nil {
		t.Fatalf("the allocation that crosses the threshold in a full pod must succeed: %v", err)
	}
	bs, err := local.ExpansionBlocked(ctx, st)
	if err != nil || len(bs) != 1 || bs[0].TOR != "t1" || bs[0].Reason != alloc.ReasonThreshold ||
		!strings.Contains(bs[0].Why, "pod p1 has no free /28 for TOR t1") || bs[0].Used != 11 {
		t.Fatalf("blocked = %+v, %v; want t1 past the threshold, its pod full", bs, err)
	}
	if v := scrape(t, m.Handler()).value(t, "ipam_expansion_blocked", "purpose=default,tor_id=t1"); v != 1 {
		t.Errorf("ipam_expansion_blocked = %v, want 1", v)
	}
}
