package cmd

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/netipam/netipam/ipam/local"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

type gcOptions struct {
	node          string
	live          string
	fromReport    string
	grace         topo.Duration
	shortGrace    bool
	dryRun        bool
	allowEmpty    bool
	nodeAddresses bool
}

func newGCCmd(a *app) *cobra.Command {
	var o gcOptions
	c := &cobra.Command{
		Use:   "gc --node NODE (--live FILE|- | --from-report FILE)",
		Short: "Release a node's leaked addresses, safely, in two phases",
		Long: `Compare a node's allocations with the attachments that really exist on it
(--live: lines "NETWORK CONTAINER IFNAME", NETWORK - for none, blank lines
and # comments allowed; or the JSON of ` + "`crictl pods -o json`" + `, matched by
container ID only). A run marks what is missing as a candidate; only a later
run releases a candidate still missing once it has been missing for --grace
and was allocated at least --grace ago. A candidate that reappears is
unmarked. Addresses held by the node itself (no container) are never
collected unless --include-node-addresses.

A --grace under 15m is refused unless --allow-short-grace.

--dry-run prints the report and changes nothing (-o json for a report to
review); --from-report releases exactly the "release" entries of a reviewed
report, or nothing: each must still be held as listed and be a candidate
that an earlier --live run recorded missing at least --grace ago. Every release is one atomic
batch with "gc" ledger events naming the run.`,
		Example: `  crictl pods -o json | netipam gc --node node-01 --live -
  netipam gc --node node-01 --live attachments.txt --dry-run -o json > report.json
  netipam gc --node node-01 --from-report report.json`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error { return runGC(c, a, o) },
	}
	f := c.Flags()
	f.StringVar(&o.node, "node", "", "the node whose attachments --live lists (required with --live)")
	f.StringVar(&o.live, "live", "", "file of the attachments that really exist on the node, - for stdin")
	f.StringVar(&o.fromReport, "from-report", "", "release exactly the \"release\" entries of this reviewed JSON report")
	o.grace = topo.Duration(local.DefaultGCGrace)
	f.Var(&o.grace, "grace", "how long an allocation must be missing, and exist, before it is released")
	f.BoolVar(&o.shortGrace, "allow-short-grace", false, "accept a --grace under the 15m minimum")
	f.BoolVar(&o.dryRun, "dry-run", false, "print what would be marked and released; change nothing")
	f.BoolVar(&o.allowEmpty, "allow-empty", false, "accept an empty live list for a node holding allocations")
	f.BoolVar(&o.nodeAddresses, "include-node-addresses", false, "also collect addresses held by the node itself (no container)")
	return c
}

func runGC(c *cobra.Command, a *app, o gcOptions) error {
	req, err := o.request(a)
	if err != nil {
		return err
	}
	svc, err := a.service(c.Context(), store.ModeExisting)
	if err != nil {
		return err
	}
	gcs, ok := svc.(local.GCService)
	if !ok {
		return usagef("gc: this service does not run gc")
	}
	rep, err := gcs.GC(c.Context(), req)
	if err != nil {
		return err
	}
	return a.printGCReport(rep)
}

// request checks the flags and reads the live list or the report.
func (o gcOptions) request(a *app) (local.GCRequest, error) {
	req := local.GCRequest{Node: o.node, Grace: topo.FormatDuration(o.grace.D()), AllowShortGrace: o.shortGrace, DryRun: o.dryRun,
		AllowEmpty: o.allowEmpty, NodeAddresses: o.nodeAddresses}
	switch {
	case (o.live == "") == (o.fromReport == ""):
		return req, usagef("gc: give exactly one of --live FILE (or -) and --from-report FILE")
	case o.grace.D() < local.MinGCGrace && !o.shortGrace:
		return req, usagef("--grace %s: under the %s minimum, an attachment being created can be missing from a live list "+
			"for a moment: give --grace %s or more, or pass --allow-short-grace if you mean it", o.grace, local.MinGCGrace,
			local.MinGCGrace)
	case o.fromReport != "":
		if o.dryRun {
			return req, usagef("--from-report applies a reviewed report: --dry-run goes with --live")
		}
		data, err := readInput(o.fromReport, "gc report", DefaultMaxFileSize)
		if err != nil {
			return req, err
		}
		rep, err := local.ParseGCReport(data)
		if err != nil {
			return req, usagef("gc report %s: not the JSON of `netipam gc --dry-run -o json`: %w", displayPath(o.fromReport), err)
		}
		req.FromReport = &rep
		return req, nil
	case o.node == "":
		return req, usagef("--node: give the node whose attachments --live lists")
	}
	var data []byte
	var err error
	name := displayPath(o.live)
	if o.live == "-" {
		name = "(stdin)"
		data, err = io.ReadAll(io.LimitReader(a.io.In, DefaultMaxFileSize+1))
		if err == nil && len(data) > DefaultMaxFileSize {
			err = fmt.Errorf("over %s", formatSize(DefaultMaxFileSize))
		}
		if err != nil {
			return req, usagef("read the live list from stdin: %w", err)
		}
	} else if data, err = readInput(o.live, "live list", DefaultMaxFileSize); err != nil {
		return req, err
	}
	l, err := parseLive(name, data)
	if err != nil {
		return req, err
	}
	req.Live, req.ByContainer = l.attachments, l.byContainer
	if req.Live == nil {
		req.Live = []local.GCAttachment{}
	}
	return req, nil
}

// printGCReport writes a run's report: its entries as a table, then a
// summary line; -o json writes the report itself (what --from-report reads).
func (a *app) printGCReport(rep local.GCReport) error {
	if a.json() {
		return a.printJSON(rep)
	}
	rows := make([][]string, len(rep.Entries))
	for i, e := range rep.Entries {
		missing, x := "", e.Allocation
		if !e.MissingSince.IsZero() {
			missing = age(e.MissingFor)
		}
		rows[i] = []string{string(e.Action), x.Address.String(), x.Network, x.Container, x.IfName, x.Pod(),
			x.At.UTC().Format(time.RFC3339), age(e.Age), missing}
	}
	if err := a.printTable([]string{"ACTION", "ADDRESS", "NETWORK", "CONTAINER", "IFNAME", "POD", "ALLOCATED", "AGE", "MISSING"}, rows); err != nil {
		return err
	}
	if rep.Match == "container" {
		a.say("live list: %d pod(s) of `crictl pods`, matched by container ID only (any network and interface)", rep.Live)
	}
	verb := map[bool]string{true: "would be ", false: ""}[rep.DryRun]
	a.say("gc %s on %s (%s, grace %s): %d %sreleased, %d %smarked, %d waiting, %d unmarked%s", rep.Run, rep.Node,
		rep.Source, rep.Grace, rep.Counts["release"], verb, rep.Counts["mark"], verb, rep.Counts["wait"],
		rep.Counts["unmark"], map[bool]string{true: "; dry run: nothing was changed", false: ""}[rep.DryRun])
	return nil
}

// age writes seconds as days, hours and minutes (seconds under a minute).
func age(s int64) string {
	d := time.Duration(s) * time.Second
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", s)
	case d < time.Hour:
		return fmt.Sprintf("%dm", d/time.Minute)
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm", d/time.Hour, (d%time.Hour)/time.Minute)
	}
	return fmt.Sprintf("%dd%02dh", d/(24*time.Hour), (d%(24*time.Hour))/time.Hour)
}
