package store_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/store/storetest"
)

// indexUses names, for every index of the tables written with each
// allocation (allocations, events, subnet_counts), a query of netipam
// that needs it: every index costs every allocation a B-tree insert, so
// an index that no query needs is dropped (migrations/0010). The query is
// the one the named code runs, or the schema's own use of the index.
var indexUses = []struct {
	index, who, query string
}{
	// allocations
	{"sqlite_autoindex_allocations_1", "Owned: an attachment's addresses (CNI ADD, CHECK, DEL; the owner key's UNIQUE)",
		`SELECT address FROM allocations WHERE 1 = 1 AND node_id = 'n' AND container = 'c' AND ifname = 'eth0' AND network = 'net'`},
	{"allocations_address", "release --ip, the UNIQUE address, subnets_gateway_not_held",
		`SELECT address FROM allocations WHERE 1 = 1 AND address IN ('10.0.0.7')`},
	{"allocations_subnet", "HeldFrom: a one-shot allocator's window of a subnet after its cursor",
		`SELECT addr_key FROM allocations WHERE subnet = '10.0.0.0/24' AND addr_key >= 'k' ORDER BY addr_key LIMIT 64`},
	{"allocations_node", "CNI GC and gc: a node's allocations of one network",
		`SELECT address FROM allocations WHERE 1 = 1 AND node_id = 'n' AND network = 'net' AND container IS NOT NULL`},
	{"allocations_node", "FirstUse: a node's earliest allocation in a subnet (one seek, migrations/0011)",
		`SELECT MIN(rowid) FROM allocations WHERE node_id = 'n' AND network = 'net' AND subnet = '10.0.0.0/24'`},
	{"allocations_tor", "alloc list --tor, and the foreign key checked when topo import deletes a TOR",
		`SELECT address FROM allocations WHERE 1 = 1 AND tor_id = 't'`},
	// events
	{"events_address", "history --ip (Events by address) and check's last event of an address",
		`SELECT id, at, kind FROM events WHERE 1 = 1 AND address = '10.0.0.7' ORDER BY id`},
	{"events_container", "history --container (Events by container)",
		`SELECT id, at, kind FROM events WHERE 1 = 1 AND container = 'c' ORDER BY id`},
	{"events_subnet", "Cursors: the address a subnet handed out last",
		`SELECT address FROM events WHERE subnet = '10.0.0.0/24' AND kind = 'allocate' ORDER BY id DESC LIMIT 1`},
	{"events_release", "released: a release reads back its own ledger rows by token",
		`SELECT id FROM events WHERE kind IN ('release', 'gc') AND detail = 'tok' ORDER BY id`},
	{"events_at", "the expansion window's first event, forecast's window, events_at_order's MAX(at)",
		`SELECT COALESCE(MIN(+id), -1) FROM events WHERE at >= '2026-01-01T00:00:00.000000000Z'`},
	// subnet_counts
	{"sqlite_autoindex_subnet_counts_1", "the subnet_counts_allocate trigger, run with every allocation",
		`UPDATE subnet_counts SET used = used + 1 WHERE subnet = '10.0.0.0/24'`},
}

// TestIndexesJustified: every index of the tables written with each
// allocation is listed in indexUses, and the query listed uses it
// (EXPLAIN QUERY PLAN names it); an index added without a query that
// needs it, or one no query uses any more, fails here.
func TestIndexesJustified(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite://"+filepath.Join(t.TempDir(), "netipam.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rows, err := st.Backend().Query(ctx, store.Q(`SELECT name FROM sqlite_master WHERE type = 'index'
		AND tbl_name IN ('allocations', 'events', 'subnet_counts') ORDER BY name`))
	if err != nil {
		t.Fatal(err)
	}
	var live []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		live = append(live, n)
	}
	rows.Close()
	var listed []string
	for _, u := range indexUses {
		listed = append(listed, u.index)
	}
	slices.Sort(listed)
	listed = slices.Compact(listed) // an index may serve several queries
	if !slices.Equal(live, listed) {
		t.Errorf("indexes of the hot tables: %v\nlisted with the query that needs them: %v", live, listed)
	}
	for _, u := range indexUses {
		plan, err := storetest.QueryPlan(st.Backend(), store.Q(u.query))
		if err != nil {
			t.Errorf("%s (%s): EXPLAIN QUERY PLAN: %v", u.index, u.who, err)
			continue
		}
		joined := strings.Join(plan, " | ")
		if !strings.Contains(joined, "INDEX "+u.index+" ") && !strings.HasSuffix(joined, "INDEX "+u.index) {
			t.Errorf("%s is kept for %s, but that query does not use it:\n  %s\nplan: %s", u.index, u.who, u.query, joined)
		}
	}
}
