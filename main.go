package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"

	"github.com/netipam/netipam/cmd"
	"github.com/netipam/netipam/cmd/cni"
	"github.com/netipam/netipam/ipam"
	"github.com/netipam/netipam/ipam/local"
	"github.com/netipam/netipam/store"
)

func main() {
	// A container runtime starts the plugin with CNI_COMMAND set: it speaks
	// only CNI on stdout, before cobra or a terminal is looked at.
	if os.Getenv("CNI_COMMAND") != "" {
		cni.Main(cni.Options{OpenStore: openStore, DefaultStore: store.DefaultURL})
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cmd.Run(ctx, os.Args[1:], cmd.IOStreams{
		In: os.Stdin, Out: os.Stdout, Err: os.Stderr,
		TTY: term.IsTerminal(int(os.Stdout.Fd())),
	})
	stop()
	os.Exit(code)
}

// openStore opens the plugin's store in process: an existing store only, a
// mistyped path or a deleted directory must fail the call, not answer from
// an empty store.
func openStore(ctx context.Context, url string) (ipam.Service, func(), error) {
	st, err := store.OpenMode(ctx, url, store.ModeExisting)
	if err != nil {
		return nil, nil, err
	}
	return local.Service{Store: st, Warn: os.Stderr}, func() { st.Close() }, nil
}
