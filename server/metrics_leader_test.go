package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/store/rqlitetest"
)

// ipam_store_leader_reachable on a real 3-node cluster: 1 while it has a
// leader, 0 once two members are killed (no quorum, no leader).
func TestMetricsLeaderReachable(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a 3-node rqlite cluster")
	}
	ctx := context.Background()
	c := rqlitetest.Start(t, 3)
	st, err := store.Open(ctx, c.URL()+"?timeout=3s")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	m, _ := newMetrics(t, st)
	if v := scrape(t, m.Handler()).value(t, "ipam_store_leader_reachable", ""); v != 1 {
		t.Fatalf("ipam_store_leader_reachable = %v on a healthy cluster, want 1", v)
	}
	leader, err := c.Leader()
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if i != (leader+1)%3 {
			c.Kill(i)
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for tries := 0; ; tries++ {
		if scrape(t, m.Handler()).value(t, "ipam_store_leader_reachable", "") == 0 {
			return
		}
		if tries >= 100 || time.Now().After(deadline) {
			t.Fatal("ipam_store_leader_reachable still 1 20 s after two of three members were killed")
		}
		time.Sleep(200 * time.Millisecond)
	}
}
