package cmd

import (
	"context"
	"errors"
	"fmt"
	"net/netip"

	"github.com/spf13/cobra"

	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

// routesJSON is `routes -o json`: the level asked, its id, and the
// aggregated prefixes (IPv4 first), also split by family.
type routesJSON struct {
	Level    string   `json:"level"`
	ID       string   `json:"id"`
	Prefixes []string `json:"prefixes"`
	IPv4     []string `json:"ipv4"`
	IPv6     []string `json:"ipv6"`
}

type routesOpts struct{ tor, pod, zone string }

// level gives the one level asked for and its id.
func (o routesOpts) level() (topo.Level, string, error) {
	var level topo.Level
	var id string
	n := 0
	for _, x := range []struct {
		l  topo.Level
		id string
	}{{topo.LevelTOR, o.tor}, {topo.LevelPod, o.pod}, {topo.LevelZone, o.zone}} {
		if x.id != "" {
			level, id, n = x.l, x.id, n+1
		}
	}
	if n != 1 {
		return "", "", usagef("routes: give exactly one of --tor, --pod or --zone (see `netipam routes --help`)")
	}
	if err := topo.CheckID("--"+string(level), id); err != nil {
		return "", "", usageError{err}
	}
	return level, id, nil
}

func newRoutesCmd(a *app) *cobra.Command {
	var o routesOpts
	c := &cobra.Command{
		Use:   "routes --tor T | --pod P | --zone Z",
		Short: "The smallest set of prefixes covering what is assigned below a TOR, pod or zone",
		Long: `routes prints, per family, the fewest prefixes that cover every subnet
below a level, for programming the switch: a TOR's subnets; a pod's TORs'
subnets and the pod's own; a zone's pods' and the zone's own. Adjacent
buddy blocks merge (two /26 -> one /25).`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			level, id, err := o.level()
			if err != nil {
				return err
			}
			ps, err := a.routes(c.Context(), level, id)
			if err != nil {
				return err
			}
			j := routesJSON{Level: string(level), ID: id, Prefixes: prefixStrings(ps),
				IPv4: prefixStrings(topo.OfFamily(ps, topo.IPv4)), IPv6: prefixStrings(topo.OfFamily(ps, topo.IPv6))}
			if a.json() {
				return a.printJSON(j)
			}
			for _, p := range j.Prefixes {
				if _, err := fmt.Fprintln(a.io.Out, p); err != nil {
					return err
				}
			}
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&o.tor, "tor", "", "TOR ID")
	f.StringVar(&o.pod, "pod", "", "pod ID")
	f.StringVar(&o.zone, "zone", "", "zone ID")
	return c
}

// routes asks the service (the server with --server, else the store) for
// the aggregated prefixes below a level; an unknown id is not found.
func (a *app) routes(ctx context.Context, level topo.Level, id string) ([]netip.Prefix, error) {
	svc, err := a.service(ctx, store.ModeReadOnly)
	if err != nil {
		return nil, err
	}
	ps, err := svc.Routes(ctx, level, id)
	if errors.Is(err, topo.ErrNotFound) {
		return nil, topoNotFound("--%s %s: unknown %s: list the topology with `netipam topo show`", level, id, level)
	}
	return ps, err
}
