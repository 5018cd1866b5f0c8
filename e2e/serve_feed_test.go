package e2e

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/topo"
)

// TestServeSeesReleasesElsewhere: the server fills tor-4's storage subnet,
// CLI processes on the same store release five of its addresses, and the
// server hands those five out again (its pools follow the ledger) instead
// of answering "exhausted"; then it is exhausted, truly.
func TestServeSeesReleasesElsewhere(t *testing.T) {
	t.Parallel()
	url, _ := seeded(t)
	withoutExpansion(t, url)
	s := startServe(t, url)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	storage := alloc.Request{Node: "node-06", Purposes: []topo.Purpose{"storage"}, Family: topo.IPv4}
	full := storage
	full.Count = 253
	all, err := s.client.Allocate(ctx, full)
	if err != nil || len(all) != 253 {
		t.Fatalf("fill 10.244.25.0/24: %d addresses, %v", len(all), err)
	}
	if _, err := s.client.Allocate(ctx, storage); !errors.Is(err, topo.ErrExhausted) {
		t.Fatalf("a full subnet: %v, want exhausted", err)
	}
	var freed []string
	for _, a := range all[100:105] {
		mustRun(t, url, "release", "--ip", a.Address.String())
		freed = append(freed, a.Address.String())
	}
	var got []string
	for range 5 {
		a, err := s.client.Allocate(ctx, storage)
		if err != nil {
			t.Fatalf("after 5 releases by the CLI, allocation %d through the server: %v", len(got)+1, err)
		}
		got = append(got, a[0].Address.String())
	}
	slices.Sort(got)
	slices.Sort(freed)
	if !slices.Equal(got, freed) {
		t.Fatalf("the server handed out %v, want the released %v", got, freed)
	}
	if _, err := s.client.Allocate(ctx, storage); !errors.Is(err, topo.ErrExhausted) {
		t.Fatalf("full again: %v, want exhausted", err)
	}
}
