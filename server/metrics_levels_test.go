package server_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/ipam/local"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

// levelsStore opens a SQLite store holding testdata/levels.yaml (pod and
// zone pools) and its nodes.
func levelsStore(t *testing.T) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite://"+filepath.Join(t.TempDir(), "netipam.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	b, err := os.ReadFile("../testdata/levels.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tp, err := topo.ParseTopology("levels.yaml", b)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.ApplyTopology(ctx, tp, false, "levels"); err != nil {
		t.Fatal(err)
	}
	if err := st.UpsertNodes(ctx, []topo.Node{{ID: "n1", TOR: "t1"}}); err != nil {
		t.Fatal(err)
	}
	return st
}

// The pools' gauges say which level served: ipam_pool_ip_used by level,
// owner, purpose and family; the TOR gauges count the TOR's own subnets
// only, and no TOR gauge names a pool. They pass promlint.
func TestMetricsPoolLevels(t *testing.T) {
	st := levelsStore(t)
	svc := local.Service{Store: st}
	for range 3 { // t1's /30, then p1's, then z1's
		allocate(t, svc, alloc.Request{Node: "n1"})
	}
	allocate(t, svc, alloc.Request{Node: "n1", Purposes: []string{"storage"}}) // pinned to p1
	m, reg := newMetrics(t, st)
	e := scrape(t, m.Handler())
	for labels, want := range map[string]float64{
		"family=4,level=pod,owner_id=p1,purpose=default":  1,
		"family=4,level=zone,owner_id=z1,purpose=default": 1,
		"family=4,level=pod,owner_id=p1,purpose=storage":  1,
	} {
		if got := e.value(t, "ipam_pool_ip_used", labels); got != want {
			t.Errorf("ipam_pool_ip_used{%s} = %v, want %v", labels, got, want)
		}
	}
	if got := e.value(t, "ipam_pool_ip_capacity", "family=4,level=pod,owner_id=p1,purpose=storage"); got != 253 {
		t.Errorf("p1's storage pool capacity = %v, want 253", got)
	}
	if got := e.value(t, "ipam_tor_ip_used", "tor_id=t1"); got != 1 {
		t.Errorf("ipam_tor_ip_used{tor_id=t1} = %v, want 1 (its own /30 only)", got)
	}
	if got := e.value(t, "ipam_subnet_usage_ratio", "subnet_cidr=10.0.15.0/30,tor_id=pod:p1"); got != 1 {
		t.Errorf("p1's default pool ratio = %v, want 1", got)
	}
	for labels := range e.series(t, "ipam_tor_ip_used") {
		if labels == "tor_id=" || labels == "tor_id=pod:p1" || labels == "tor_id=zone:z1" {
			t.Errorf("a TOR gauge names a pool: ipam_tor_ip_used{%s}", labels)
		}
	}
	problems, err := testutil.GatherAndLint(reg)
	if err != nil {
		t.Fatal(err)
	}
	checkLint(t, problems)
}
