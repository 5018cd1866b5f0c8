// Command netipam is a topology-aware IPAM: a CLI, and a CNI IPAM plugin
// when a container runtime starts it with CNI_COMMAND set.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"

	"github.com/netipam/netipam/cmd"
	"github.com/netipam/netipam/cmd/cni"
)

func main() {
	// A container runtime starts the plugin with CNI_COMMAND set: it speaks
	// only CNI on stdout, before cobra or a terminal is looked at.
	if os.Getenv("CNI_COMMAND") != "" {
		cni.Main()
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
