package cmd

import (
	"net/netip"
	"time"

	"github.com/spf13/cobra"

	"github.com/netipam/netipam/store"
)

type historyOptions struct {
	ip, container, at string
}

func newHistoryCmd(a *app) *cobra.Command {
	var o historyOptions
	c := &cobra.Command{
		Use:   "history (--ip IP | --container ID) [--at TIME]",
		Short: "The ledger of an address or container: who held it, when",
		Example: `  netipam history --ip 10.244.0.7
  netipam history --ip 10.244.0.7 --at 2026-11-21T14:05:00Z   # who held it then`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error { return runHistory(c, a, o) },
	}
	f := c.Flags()
	f.StringVar(&o.ip, "ip", "", "address")
	f.StringVar(&o.container, "container", "", "container ID")
	f.StringVar(&o.at, "at", "", "with --ip: only the allocation that held it at this RFC 3339 time")
	return c
}

func runHistory(c *cobra.Command, a *app, o historyOptions) error {
	var f store.EventFilter
	switch {
	case (o.ip == "") == (o.container == ""):
		return usagef("history: give exactly one of --ip or --container")
	case o.ip != "":
		ip, err := netip.ParseAddr(o.ip)
		if err != nil {
			return usagef("--ip %q: not an IP address", o.ip)
		}
		f.Address = ip.String()
	default:
		f.Container = o.container
	}
	var at time.Time
	if o.at != "" {
		var err error
		if at, err = time.Parse(time.RFC3339, o.at); err != nil || o.ip == "" {
			return usagef("--at %q: give --ip and a time like 2026-11-21T14:05:00Z", o.at)
		}
	}
	st, err := a.openRead(c.Context())
	if err != nil {
		return err
	}
	evs, err := st.Events(c.Context(), f)
	if err != nil {
		return err
	}
	if !at.IsZero() {
		evs = heldAt(evs, at)
	}
	if a.json() {
		if evs == nil {
			evs = []store.Event{}
		}
		return a.printJSON(evs)
	}
	rows := make([][]string, len(evs))
	for i, e := range evs {
		rows[i] = []string{e.At.Format(time.RFC3339Nano), e.Kind, e.Address, e.Node, e.Container, e.IfName, e.Actor}
	}
	return a.printTable([]string{"AT", "EVENT", "ADDRESS", "NODE", "CONTAINER", "IFNAME", "ACTOR"}, rows)
}

// heldAt keeps the allocate event (and its release, if any) of the
// allocation that held the address at t.
func heldAt(evs []store.Event, t time.Time) []store.Event {
	var held []store.Event
	for i, e := range evs {
		if e.Kind != "allocate" || e.At.After(t) {
			continue
		}
		held = []store.Event{e}
		for _, r := range evs[i+1:] {
			if r.Kind == "release" || r.Kind == "gc" {
				if !r.At.After(t) {
					held = nil // released before t
				} else {
					held = append(held, r)
				}
				break
			}
		}
	}
	return held
}
