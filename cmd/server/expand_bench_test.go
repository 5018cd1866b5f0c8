package server_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/cmd/server"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/store/storetest"
)

// BenchmarkLocalAllocateExpansionCheck measures what the check after every
// one-shot allocation costs (whether the TOR crossed the threshold: three
// indexed reads): Local.Allocate beside the bare one-shot allocator it
// wraps, on the same SQLite store, allocating and releasing one address.
func BenchmarkLocalAllocateExpansionCheck(b *testing.B) {
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite://"+filepath.Join(b.TempDir(), "netipam.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	storetest.LoadDemo(b, st)
	node := "node-01"
	for _, c := range []struct {
		name string
		svc  func(context.Context, alloc.Request) error
	}{
		{"bare", func(ctx context.Context, r alloc.Request) error {
			_, err := alloc.NewOneShotAllocator(st).Allocate(ctx, r)
			return err
		}},
		{"local", func(ctx context.Context, r alloc.Request) error {
			_, err := server.Local{Store: st}.Allocate(ctx, r)
			return err
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				i++
				ctr := fmt.Sprintf("%s-%d", c.name, i)
				if err := c.svc(ctx, alloc.Request{Node: node, Container: ctr, IfName: "eth0", Network: "n"}); err != nil {
					b.Fatal(err)
				}
				if _, err := st.Release(ctx, store.AllocationFilter{Container: &ctr}, "release"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
