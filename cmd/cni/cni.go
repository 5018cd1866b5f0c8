package cni

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/containernetworking/cni/pkg/skel"
	"github.com/containernetworking/cni/pkg/version"

	"github.com/netipam/netipam/ipam"
)

// versions are the CNI spec versions netipam speaks.
var versions = version.PluginSupports("0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0")

const about = "netipam: topology-aware CNI IPAM plugin"

// Options give the plugin what lives above it: the store.
type Options struct {
	// OpenStore opens an existing store (never creating one) as a
	// ipam.Service; the returned function closes it. Nil: the plugin may only
	// ask a server (the light start, early.go).
	OpenStore func(ctx context.Context, url string) (ipam.Service, func(), error)
	// DefaultStore names the store a config without "store" means.
	DefaultStore func() string
}

// Main runs the plugin: the CNI command comes from the environment, the
// network configuration from stdin. It exits non-zero on an error.
func Main(o Options) {
	if code, _ := run(o); code != 0 {
		os.Exit(code)
	}
}

// run answers one CNI call. handover reports that the call needs the store
// and o has none: nothing was printed or changed, and the caller runs it
// again with the store.
func run(o Options) (code int, handover bool) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	p := &plugin{ctx: ctx, opts: o, details: describe("command", os.Getenv("CNI_COMMAND"),
		"container", os.Getenv("CNI_CONTAINERID"), "interface", os.Getenv("CNI_IFNAME"))}
	e := skel.PluginMainFuncsWithError(skel.CNIFuncs{
		Add:    p.run("ADD", p.add),
		Del:    p.run("DEL", p.del),
		Check:  p.run("CHECK", p.check),
		GC:     p.run("GC", p.gc),
		Status: p.run("STATUS", p.status),
	}, versions, about)
	if p.handover {
		return 0, true
	}
	if e != nil {
		p.printError(os.Stdout, e) //nolint:errcheck // stdout is gone: nothing left to tell
		return 1, false
	}
	return 0, false
}

// plugin is one invocation: one command, one store.
type plugin struct {
	ctx  context.Context
	opts Options
	// cniVersion and details describe the request once its config is
	// read, for the error result.
	cniVersion, details string
	// handover: the call needs the store and opts has none.
	handover bool
}

// handler is one CNI command, given its parsed config and the ipam.Service it
// asks.
type handler func(args *skel.CmdArgs, c *config, svc ipam.Service) error

// run wraps a command: it parses the config and opens the store for it, and
// its error leaves as a CNI error, mapped in one place (errors.go).
func (p *plugin) run(cmd string, fn handler) func(*skel.CmdArgs) error {
	return func(args *skel.CmdArgs) error {
		err := func() error {
			c, err := parseConfig(args.StdinData, os.Hostname)
			if err != nil {
				// What the config says of itself, for the error result only.
				var head struct{ CNIVersion, Name string }
				_ = json.Unmarshal(args.StdinData, &head) // may fail too: the error says why
				p.cniVersion = head.CNIVersion
				p.details = describe("network", head.Name, "container", args.ContainerID, "interface", args.IfName)
				return err
			}
			if c.Store == "" && p.opts.DefaultStore != nil {
				c.Store = p.opts.DefaultStore()
			}
			p.cniVersion = c.CNIVersion
			p.details = describe("node", c.Node, "network", c.Network, "container", args.ContainerID,
				"interface", args.IfName, "server", c.Server, "store", c.Store)
			svc, closeSvc, err := p.service(c)
			if err != nil {
				return err
			}
			defer closeSvc()
			return fn(args, c, svc)
		}()
		if errors.Is(err, errHandover) {
			p.handover = true
			return err
		}
		if err != nil {
			return cniError(cmd, err)
		}
		return nil
	}
}

// describe joins the non-empty name-value pairs: the details of an error
// result, naming what the runtime asked about.
func describe(kv ...string) string {
	var parts []string
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			parts = append(parts, kv[i]+" "+kv[i+1])
		}
	}
	return strings.Join(parts, ", ")
}
