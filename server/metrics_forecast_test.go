package server_test

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/ipam/local"
	"github.com/netipam/netipam/server"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/store/storetest"
)

// The forecast, the TORs' places and their gc candidates are gauges: t1
// holds 7 of its 13 addresses, all allocated within the week (1 a day),
// so it passes the threshold (10.4) in 3.4 days and is full in 6; t2
// allocated nothing (never); pod p1's /24 has 249 free addresses at 1 a
// day. A gc run that finds 3 of t1's containers missing leaves 3
// candidates.
func TestMetricsForecastAndTORs(t *testing.T) {
	url := "sqlite://" + filepath.Join(t.TempDir(), "netipam.db")
	storetest.SeedExpand(t, url, storetest.ExpandTopology, 1)
	ctx := context.Background()
	st, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var live []local.GCAttachment
	for i := 1; i <= 6; i++ {
		c := fmt.Sprintf("c%d", i)
		allocate(t, local.Service{Store: st}, alloc.Request{Node: "n1", Network: "net", Container: c, IfName: "eth0"})
		if i <= 3 {
			live = append(live, local.GCAttachment{Network: "net", Container: c, IfName: "eth0"})
		}
	}
	if _, _, err := local.RunGC(ctx, st, local.GCRequest{Node: "n1", Live: live}); err != nil {
		t.Fatal(err)
	}
	m, _ := newMetrics(t, st)
	e := scrape(t, m.Handler())

	for _, tor := range []string{"t1", "t2"} {
		if v := e.value(t, "ipam_tor_info", "pod_id=p1,tor_id="+tor+",zone_id=z"); v != 1 {
			t.Errorf("ipam_tor_info of %s = %v, want 1", tor, v)
		}
	}
	if v := e.value(t, "ipam_gc_candidates", "tor_id=t1"); v != 3 {
		t.Errorf("ipam_gc_candidates{t1} = %v, want 3", v)
	}
	if v := e.value(t, "ipam_gc_candidates", "tor_id=t2"); v != 0 {
		t.Errorf("ipam_gc_candidates{t2} = %v, want 0", v)
	}

	day := 86400.0
	days := func(name, labels string, want float64) {
		t.Helper()
		got := e.value(t, name, labels)
		if math.IsInf(want, 1) && math.IsInf(got, 1) {
			return
		}
		if math.Abs(got-want*day) > 60 { // the forecast's time is the store's: seconds apart
			t.Errorf("%s{%s} = %v s (%.3f days), want %.3f days", name, labels, got, got/day, want)
		}
	}
	t1, t2 := "family=4,purpose=default,tor_id=t1", "family=4,purpose=default,tor_id=t2"
	days("ipam_forecast_tor_threshold_seconds", t1, 0.8*13-7)
	days("ipam_forecast_tor_full_seconds", t1, 13-7)
	days("ipam_forecast_tor_full_seconds", t2, math.Inf(1))
	days("ipam_forecast_tor_threshold_seconds", t2, math.Inf(1))
	// The pod's /24 less t1's 7 and t2's none: network and broadcast count
	// as room of the pod.
	days("ipam_forecast_pod_full_seconds", "family=4,pod_id=p1", 256-7)
	if v := e.value(t, "ipam_forecast_net_rate_per_day", t1); math.Abs(v-1) > 1e-9 {
		t.Errorf("net rate of t1 = %v a day, want 1", v)
	}
}

// ipam_ready follows the daemon: 0 before its pools are loaded, 1 after;
// the feed's lag is served once it is ready and comes back to 0 after
// another process writes.
func TestMetricsDaemonReadyAndFeed(t *testing.T) {
	url := "sqlite://" + filepath.Join(t.TempDir(), "netipam.db")
	storetest.SeedExpand(t, url, storetest.ExpandTopology, 1)
	ctx := context.Background()
	st, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	d := server.NewDaemon(st)
	m, _ := newMetrics(t, st)
	d.Metrics = m
	m.WatchDaemon(d)
	e := scrape(t, m.Handler())
	if v := e.value(t, "ipam_ready", ""); v != 0 {
		t.Errorf("ipam_ready before Load = %v, want 0", v)
	}
	if e["ipam_feed_lag_events"] != nil {
		t.Error("ipam_feed_lag_events served before the daemon follows the feed")
	}
	if err := d.Load(ctx); err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if v := scrape(t, m.Handler()).value(t, "ipam_ready", ""); v != 1 {
		t.Errorf("ipam_ready after Load = %v, want 1", v)
	}
	other, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	allocate(t, local.Service{Store: other}, alloc.Request{Node: "n1", Count: 3})
	deadline := time.Now().Add(10 * time.Second)
	for {
		lag := scrape(t, m.Handler()).value(t, "ipam_feed_lag_events", "")
		if lag == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("ipam_feed_lag_events = %v 10s after another process wrote, want 0 once followed", lag)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
