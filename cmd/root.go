package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

// NewRootCmd builds the netipam command tree.
func NewRootCmd(io IOStreams) *cobra.Command { return newRoot(&app{io: io}) }

func newRoot(a *app) *cobra.Command {
	io := a.io
	root := &cobra.Command{
		Use:   "netipam",
		Short: "Topology-aware IP address management for data centres and Kubernetes",
		Long: `netipam models the network as zones, pods, TORs and nodes, gives each TOR
subnets for purposes (default, storage, management, ...) and hands every node
addresses from its own TOR's subnets, recording each allocation in SQL.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(c *cobra.Command, _ []string) error {
			switch a.output {
			case "", "text", "json", "csv":
				return nil
			}
			return usagef("--output %q: use text, json or csv (tables)", a.output)
		},
	}
	root.SetIn(io.In)
	root.SetOut(io.Out)
	root.SetErr(io.Err)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usagef("%s: %w (see `%s --help`)", c.CommandPath(), err, c.CommandPath())
	})
	pf := root.PersistentFlags()
	pf.StringVar(&a.storeURL, "store", "",
		"store URL: sqlite:///path/netipam.db or rqlite://host:4001,host:4001\n"+
			"(default $"+store.EnvStore+", else /var/lib/netipam/netipam.db as root, ~/.local/share/netipam/netipam.db otherwise)")
	pf.StringVarP(&a.output, "output", "o", "", "output format: text, json, or csv for tables")
	pf.StringVar(&a.serverURL, "server", os.Getenv(EnvServer),
		"netipam serve to ask, for the commands that read or change allocations\n"+
			"(alloc, release, usage, check, gc, report, routes, migrate host-local,\n"+
			"subnet expand, subnet reclaim, node import --from-kubernetes):\n"+
			"unix:///run/netipam/netipam.sock, http://host:port or https://host:port (default $"+EnvServer+")")
	pf.StringVar(&a.tokenFile, "token-file", os.Getenv(EnvTokenFile),
		"file holding the bearer token for a tcp --server (default $"+EnvTokenFile+")")
	pf.StringVar(&a.serverCA, "server-ca", os.Getenv(EnvServerCA),
		"PEM file of the CA an https:// --server's certificate must chain to, instead of the system roots (default $"+EnvServerCA+")")
	root.AddCommand(
		newInitCmd(a),
		newTopoCmd(a),
		newNodeCmd(a),
		newSubnetCmd(a),
		newAllocCmd(a),
		newReleaseCmd(a),
		newUsageCmd(a),
		newSQLCmd(a),
		newHistoryCmd(a),
		newServeCmd(a),
		newRoutesCmd(a),
		newMigrateCmd(a),
		newGCCmd(a),
		newReportCmd(a),
		newCheckCmd(a),
		newBackupCmd(a),
		newEventsCmd(a),
	)
	return root
}

// Run executes netipam with args and returns the exit status. Errors are
// printed to io.Err, one line each.
func Run(ctx context.Context, args []string, io IOStreams) int {
	a := &app{io: io}
	defer a.close()
	root := newRoot(a)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err != nil && strings.HasPrefix(err.Error(), "unknown command") {
		err = usageError{err}
	}
	if err != nil && isArgsError(err) {
		err = usageError{err}
	}
	if err != nil {
		printError(io, err)
	}
	return ExitCode(err)
}

func printError(io IOStreams, err error) {
	var ve topo.Errors
	if errors.As(err, &ve) {
		for _, e := range ve {
			fmt.Fprintf(io.Err, "netipam: %s\n", safe(e.Error()))
		}
		fmt.Fprintf(io.Err, "netipam: %d error(s), nothing was changed\n", len(ve))
		return
	}
	fmt.Fprintf(io.Err, "netipam: %s\n", safe(err.Error()))
}

// isArgsError recognises cobra's positional-argument errors.
func isArgsError(err error) bool {
	m := err.Error()
	return strings.Contains(m, "arg(s)") || strings.Contains(m, "unknown flag") ||
		strings.Contains(m, "required flag")
}
