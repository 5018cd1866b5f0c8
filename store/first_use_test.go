package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestFirstUseSeeksPerSubnet: every read of allocations in FirstUse's
// query is bounded by the subnet as well as the node and network (one
// seek per subnet the node uses), never a range over all of the node's
// allocations in the network, which grows with the node.
func TestFirstUseSeeksPerSubnet(t *testing.T) {
	ctx := context.Background()
	url := "sqlite://" + filepath.Join(t.TempDir(), "netipam.db")
	// Created and migrated, then opened again: a connection opened before
	// the migrations ran explains a statement with the schema it read
	// then (running one re-prepares it; EXPLAIN does not).
	st, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if st, err = Open(ctx, url); err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rows, err := st.db.Query(ctx, Q("EXPLAIN QUERY PLAN "+firstUseSQL, "n", "net"))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var searches []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(detail, "SCAN allocations") {
			t.Errorf("FirstUse scans allocations: %s", detail)
		}
		if strings.HasPrefix(detail, "SEARCH allocations USING") {
			searches = append(searches, strings.TrimPrefix(detail, "SEARCH allocations USING "))
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	// The first subnet (MIN(subnet) over the node's range: one seek, the
	// first entry), the next one after each, and each one's first row.
	want := []string{
		"COVERING INDEX allocations_node (node_id=? AND network=?)",
		"COVERING INDEX allocations_node (node_id=? AND network=? AND subnet>?)",
		"COVERING INDEX allocations_node (node_id=? AND network=? AND subnet=?)",
	}
	if strings.Join(searches, "|") != strings.Join(want, "|") {
		t.Errorf("FirstUse's searches of allocations:\n  %s\nwant (a seek per subnet the node uses):\n  %s",
			strings.Join(searches, "\n  "), strings.Join(want, "\n  "))
	}
}
