package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netipam/netipam/store"
)

// TestIdentityDeletedAndReplaced: a write committed after the store's file
// was deleted is not acknowledged (ErrUnavailable naming the path), later
// writes are refused, and CheckIdentity says the same; a file replaced by
// a copy (another inode) is noticed too. A file left in place is fine.
func TestIdentityDeletedAndReplaced(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	write := func(st *store.Store) error {
		_, err := st.Backend().Exec(ctx, store.Q(`INSERT INTO settings (key, value, updated_at) VALUES ('identity-test', 'x', 'now')
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`))
		return err
	}
	for _, tc := range []struct {
		name, why string
		change    func(path string) error
	}{
		{"deleted", "was deleted", func(path string) error {
			for _, f := range []string{path, path + "-wal", path + "-shm"} {
				if err := os.Remove(f); err != nil && !os.IsNotExist(err) {
					return err
				}
			}
			return nil
		}},
		{"replaced", "was replaced", func(path string) error {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if err := os.WriteFile(path+".new", b, 0o600); err != nil {
				return err
			}
			return os.Rename(path+".new", path)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "netipam.db")
			st, err := store.Open(ctx, "sqlite://"+path)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if err := write(st); err != nil {
				t.Fatalf("a write to the file in place: %v", err)
			}
			if err := st.CheckIdentity(); err != nil || st.Lost() != nil {
				t.Fatalf("the file in place: %v, %v", err, st.Lost())
			}
			if err := tc.change(path); err != nil {
				t.Fatal(err)
			}
			for i := range 2 {
				err := write(st)
				if !errors.Is(err, store.ErrUnavailable) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tc.why) {
					t.Fatalf("write %d after the file %s: %v; want unavailable naming %s", i+1, tc.name, err, path)
				}
			}
			if err := st.CheckIdentity(); !errors.Is(err, store.ErrUnavailable) || st.Lost() == nil {
				t.Fatalf("CheckIdentity after the file %s: %v (lost %v)", tc.name, err, st.Lost())
			}
		})
	}
}
