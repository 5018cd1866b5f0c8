package cmd

import (
	"context"
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

// routes aggregates the subnets below a level, read through the service
// (the server with --server, else the store). An id with no subnet is
// looked up in the stored topology: unknown is not found (exit 3), known
// gives no prefix; through a server, which serves subnets but not the
// topology, no subnet is not found.
func (a *app) routes(ctx context.Context, level topo.Level, id string) ([]netip.Prefix, error) {
	svc, err := a.service(ctx, store.ModeReadOnly)
	if err != nil {
		return nil, err
	}
	var f store.SubnetFilter
	if level == topo.LevelTOR {
		f.TOR = &id
	}
	rows, err := svc.Subnets(ctx, f)
	if err != nil {
		return nil, err
	}
	var ps []netip.Prefix
	for _, r := range rows {
		if below(r, level, id) {
			ps = append(ps, r.CIDR)
		}
	}
	if len(ps) == 0 {
		if a.serverURL != "" {
			return nil, topoNotFound("%s %s: unknown, or nothing is assigned below it: list the topology with `netipam topo show`", level, id)
		}
		if err := a.levelExists(ctx, level, id); err != nil {
			return nil, err
		}
	}
	return topo.Aggregate(ps)
}

// below says whether a subnet is assigned below (or at) a level's id.
func below(r store.SubnetRow, level topo.Level, id string) bool {
	switch level {
	case topo.LevelZone:
		return r.Zone == id
	case topo.LevelPod:
		return r.Pod == id
	}
	return r.TOR == id
}

// levelExists fails with not found (naming the id) unless the stored
// topology declares it.
func (a *app) levelExists(ctx context.Context, level topo.Level, id string) error {
	st, err := a.openRead(ctx)
	if err != nil {
		return err
	}
	t, err := st.LoadTopology(ctx)
	if err != nil {
		return err
	}
	for _, z := range t.Zones {
		if level == topo.LevelZone && z.ID == id {
			return nil
		}
		for _, p := range z.Pods {
			if level == topo.LevelPod && p.ID == id {
				return nil
			}
			for _, r := range p.TORs {
				if level == topo.LevelTOR && r.ID == id {
					return nil
				}
			}
		}
	}
	if level == topo.LevelTOR {
		if ok, err := st.TORExists(ctx, id); err != nil || ok {
			return err
		}
	}
	return topoNotFound("--%s %s: unknown %s: list the topology with `netipam topo show`", level, id, level)
}
