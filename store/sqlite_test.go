package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/store/storetest"
)

func TestSQLiteContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) *store.Store {
		st, err := store.Open(context.Background(), "sqlite://"+filepath.Join(t.TempDir(), "netipam.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	})
}
