package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/netipam/netipam/store"
)

// TestLeaderReachable: a store on a real 3-node cluster sees its leader,
// and stops seeing one when two members die (no quorum, no leader); a
// SQLite store says it has none to lose.
func TestLeaderReachable(t *testing.T) {
	ctx := context.Background()
	lite, err := store.Open(ctx, "sqlite://"+filepath.Join(t.TempDir(), "l.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	if lite.Clustered() || lite.LeaderReachable(ctx) {
		t.Fatal("SQLite: clustered or a leader reachable, want neither")
	}

	c := startCluster(t, 3)
	st, err := store.Open(ctx, rotated(c, 1)+"?timeout=3s")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if !st.Clustered() || !st.LeaderReachable(ctx) {
		t.Fatal("healthy cluster: not clustered, or no leader reachable")
	}
	leader, err := c.Leader()
	if err != nil {
		t.Fatal(err)
	}
	survivor := (leader + 1) % 3
	for i := range 3 {
		if i != survivor {
			c.Kill(i)
		}
	}
	// The survivor may take up to an election timeout to notice.
	deadline := time.Now().Add(20 * time.Second)
	for tries := 0; ; tries++ {
		if !st.LeaderReachable(ctx) {
			break
		}
		if tries >= 100 || time.Now().After(deadline) {
			t.Fatal("two of three members killed: a leader is still reported reachable after 20 s")
		}
		time.Sleep(200 * time.Millisecond)
	}
}
