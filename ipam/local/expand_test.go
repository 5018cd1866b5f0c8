package local_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/netipam/netipam/ipam/local"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/store/rqlitetest"
	"github.com/netipam/netipam/store/storetest"
	"github.com/netipam/netipam/topo"
)

// expandTopology: TOR t1 holds a /28 (13 addresses to hand out) of pod
// p1's /24; t2 holds the /28 after it, so t1's buddy is taken.
const expandTopology = storetest.ExpandTopology

// seedExpand imports expandTopology into the store at url, registers n1
// on t1 and allocates n of t1's addresses.
func seedExpand(t *testing.T, url string, n int) {
	t.Helper()
	storetest.SeedExpand(t, url, expandTopology, n)
}

// expanders runs n expansions of t1 at once, each over its own store
// handle, and returns the claims made.
func expanders(t *testing.T, urls []string, n int) int {
	t.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	claimed := 0
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			st, err := store.Open(context.Background(), urls[i%len(urls)])
			if err != nil {
				errs <- err
				return
			}
			defer st.Close()
			var res local.ExpandResult
			for try := 0; try < 20; try++ { // a busy store is retried, as callers do
				res, err = local.ExpandIfNeeded(context.Background(), st, "t1", "default", topo.IPv4)
				if !errors.Is(err, topo.ErrUnavailable) {
					break
				}
			}
			if err != nil {
				errs <- fmt.Errorf("expander %d: %w", i, err)
				return
			}
			mu.Lock()
			if res.Claimed {
				claimed++
			}
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	return claimed
}

// checkOneBlock checks that t1 holds exactly its block and one expanded
// block, the ledger one expand event for it, and no subnets overlap.
func checkOneBlock(t *testing.T, url string) {
	t.Helper()
	st, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tor := "t1"
	rows, err := st.Subnets(context.Background(), topo.SubnetFilter{TOR: &tor})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, r.CIDR.String()+" "+r.Source)
	}
	if len(rows) != 2 || rows[1].Source != "expand" || rows[1].CIDR != netip.MustParsePrefix("10.9.0.32/28") {
		t.Errorf("t1's subnets = %v, want 10.9.0.0/28 and one expanded block 10.9.0.32/28", got)
	}
	evs, err := st.Events(context.Background(), store.EventFilter{Kind: "expand"})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].Subnet != "10.9.0.32/28" || !strings.Contains(evs[0].Detail, "reason threshold") {
		t.Errorf("expand events = %+v, want one for 10.9.0.32/28 with reason threshold", evs)
	}
}

func TestConcurrentExpandersSQLite(t *testing.T) {
	url := "sqlite://" + filepath.Join(t.TempDir(), "netipam.db")
	seedExpand(t, url, 11) // 11 of 13: past the threshold
	if n := expanders(t, []string{url}, 8); n != 1 {
		t.Errorf("%d expanders claimed a block, want exactly 1", n)
	}
	checkOneBlock(t, url)
}

func TestConcurrentExpandersRqlite(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: a real rqlite cluster")
	}
	if _, err := rqlitetest.BinaryPath(); err != nil {
		t.Skipf("%v: run make rqlited", err)
	}
	c := rqlitetest.Start(t, 3)
	seedExpand(t, c.URL(), 11)
	var urls []string
	addrs := c.Addrs()
	for i := range addrs {
		urls = append(urls, "rqlite://"+strings.Join(append(append([]string(nil), addrs[i:]...), addrs[:i]...), ","))
	}
	if n := expanders(t, urls, 4); n != 1 {
		t.Errorf("%d expanders claimed a block, want exactly 1", n)
	}
	checkOneBlock(t, c.URL())
}
