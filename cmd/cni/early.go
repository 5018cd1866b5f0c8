package cni

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/containernetworking/cni/pkg/types"

	_ "github.com/netipam/netipam/cmd/cni/versionreply" // VERSION, before anything else starts
)

// The light start. A container runtime starts the plugin once per call, so
// its start-up is part of every pod's start. Go runs every package's init
// before main, and the binary also holds the CLI, the store (SQLite in
// pure Go) and the server (Prometheus, protobuf): started the ordinary way
// the plugin spends about twice host-local's whole start-up before main.
//
// Go initializes packages in a fixed order: repeatedly the first package,
// sorted by import path, whose imports are all initialized (the language
// spec, "Package initialization"). This package imports neither the store
// nor the server, only the CNI library, the domain packages and the API's
// light client, so its init runs before the heavy packages' (whose paths
// sort after github.com/netipam). There it answers the call itself when it
// can: VERSION, and every command of a config that names a server. A call
// that needs the store (a config without "server", or a server that cannot
// be reached when the config names the store to fall back to) is handed
// over: stdin is put back as it was and main runs the plugin again, this
// time with the store. Nothing is printed or asked before a handover, so
// the second run starts from the same state.
//
// `make bench` (BenchmarkPluginStart, BenchmarkCNIAddServer) measures what
// this saves.
func init() {
	if os.Getenv("CNI_COMMAND") == "" {
		return
	}
	lightStart()
}

// lightStart answers the call without the store and exits, or hands it
// over by returning.
func lightStart() {
	if os.Getenv("CNI_COMMAND") == "VERSION" { // skel reads no stdin for it
		code, _ := run(Options{})
		os.Exit(code)
	}
	data, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail(fmt.Errorf("read the network config from stdin: %w", err))
	}
	giveBack(data)
	var head struct {
		IPAM struct {
			Server string `json:"server"`
		} `json:"ipam"`
	}
	if json.Unmarshal(data, &head) == nil && head.IPAM.Server == "" {
		return // the store's call: main runs it (a bad config too, and says why)
	}
	code, handover := run(Options{})
	if !handover {
		os.Exit(code)
	}
	giveBack(data)
}

// giveBack makes os.Stdin a pipe that yields data, then EOF.
func giveBack(data []byte) {
	r, w, err := os.Pipe()
	if err != nil {
		fail(fmt.Errorf("pass the network config on: %w", err))
	}
	go func() {
		w.Write(data) //nolint:errcheck // the reader stopped reading: nothing to tell
		w.Close()
	}()
	os.Stdin = r
}

// fail ends the call with a CNI error: stdin is gone, so main could not
// run it again.
func fail(err error) {
	p := &plugin{}
	p.printError(os.Stdout, types.NewError(codeInternal, "netipam: "+err.Error(), "")) //nolint:errcheck // stdout is gone
	os.Exit(1)
}
