package store_test

import (
	"context"
	"slices"
	"testing"

	"github.com/netipam/netipam/store"
)

// TestUpgradeToLevels: migration 0007 (pools above the TOR) adds columns
// to tors and a table, and recreates triggers: every row of a version 1
// store is kept as it was, every TOR is level tor, and the old TORs' nodes
// still allocate.
func TestUpgradeToLevels(t *testing.T) {
	path := copyV1Fixture(t)
	queries := []string{
		`SELECT id, pod_id, name, location, virtual, created_at FROM tors ORDER BY id`,
		`SELECT cidr, family, purpose, tor_id, gateway, first_key, last_key, source, created_at FROM subnets ORDER BY cidr`,
		`SELECT * FROM reservations ORDER BY subnet, cidr`,
		`SELECT * FROM nodes ORDER BY id`,
		`SELECT * FROM zones ORDER BY id`,
		`SELECT * FROM pods ORDER BY id`,
	}
	before := map[string][]string{}
	for _, q := range queries {
		before[q] = rowsOf(t, path, q)
		if len(before[q]) == 0 {
			t.Fatalf("fixture has no rows for %s", q)
		}
	}
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite://"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, q := range queries {
		if got := rowsOf(t, path, q); !slices.Equal(got, before[q]) {
			t.Errorf("%s changed by the upgrade:\n%v\nwant\n%v", q, got, before[q])
		}
	}
	if got := rowsOf(t, path, `SELECT COUNT(*) FROM tors WHERE level <> 'tor' OR zone_id IS NOT NULL`); !slices.Equal(got, []string{"0"}) {
		t.Errorf("upgraded TORs that are not plain TORs: %v", got)
	}
	if got := rowsOf(t, path, `SELECT COUNT(*) FROM strategies`); !slices.Equal(got, []string{"0"}) {
		t.Errorf("strategies after the upgrade: %v", got)
	}
	subnets, err := st.NodeSubnets(ctx, "tor-1")
	if err != nil || len(subnets) == 0 {
		t.Fatalf("subnets of tor-1 after the upgrade: %v %v", subnets, err)
	}
}
