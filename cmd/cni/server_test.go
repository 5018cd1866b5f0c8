package cni

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/netipam/netipam/ipam"
	"github.com/netipam/netipam/server/api"
)

// scripted is an ipam.Service whose NodeTOR answers from a list of errors, one
// per call; its other methods are never called here.
type scripted struct {
	ipam.Service
	errs  []error
	calls int
}

func (s *scripted) NodeTOR(context.Context, string) (string, error) {
	err := s.errs[s.calls]
	s.calls++
	if err != nil {
		return "", err
	}
	return "tor-1", nil
}

func unreachable() error { return fmt.Errorf("dial: %w", api.ErrUnreachable) }

// TestFallbackOnlyBeforeTheServerAnswered: the plugin uses the store when
// the server cannot be reached at its first call, and never once the server
// has answered (it may have acted).
func TestFallbackOnlyBeforeTheServerAnswered(t *testing.T) {
	ctx := context.Background()
	opened := 0
	local := &scripted{errs: []error{nil, nil}}
	open := func() (ipam.Service, func(), error) { opened++; return local, func() {}, nil }

	var log bytes.Buffer
	f := &fallback{server: &scripted{errs: []error{unreachable()}}, url: "unix:///s", store: "sqlite:///x", open: open, log: &log}
	for range 2 {
		if tor, err := f.NodeTOR(ctx, "n"); err != nil || tor != "tor-1" {
			t.Fatalf("after an unreachable server: %q %v, want the store's answer", tor, err)
		}
	}
	if opened != 1 || local.calls != 2 || !bytes.Contains(log.Bytes(), []byte("using the store sqlite:///x directly")) {
		t.Fatalf("opened the store %d times, asked it %d times, log %q", opened, local.calls, log.String())
	}

	opened = 0
	f = &fallback{server: &scripted{errs: []error{nil, unreachable()}}, url: "unix:///s", open: open, log: &log}
	if _, err := f.NodeTOR(ctx, "n"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.NodeTOR(ctx, "n"); !errors.Is(err, api.ErrUnreachable) || opened != 0 {
		t.Fatalf("after the server answered: %v, store opened %d times; want the server's error and no fallback", err, opened)
	}

	f = &fallback{server: &scripted{errs: []error{unreachable()}}, url: "unix:///s", log: &log}
	if _, err := f.NodeTOR(ctx, "n"); !errors.Is(err, api.ErrUnreachable) {
		t.Fatalf("no store in the config: %v, want the server's error", err)
	}
}
