package cmd

import (
	"fmt"
	"sort"

	"github.com/spf13/cobra"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

// usageRow is used / capacity of one level (zone, pod, TOR) for one purpose
// and family.
type usageRow struct {
	Level    string    `json:"level"`
	ID       string    `json:"id"`
	Purpose  string    `json:"purpose"`
	Family   int       `json:"family"`
	Subnets  int       `json:"subnets"`
	Used     uint64    `json:"used"`
	Capacity addrCount `json:"capacity"` // exact, past 2^64 too
	Ratio    float64   `json:"ratio"`
}

// usage aggregates subnets by zone, pod and TOR, each per purpose and
// family, ordered zone > pod > TOR.
func usage(rows []store.SubnetRow) ([]usageRow, error) {
	type key struct {
		level, id, purpose string
		family             int
	}
	agg := map[key]*usageRow{}
	order := map[string]string{} // level/id -> sort key
	for _, r := range rows {
		capacity, err := alloc.Capacity(r.Subnet)
		if err != nil {
			return nil, fmt.Errorf("capacity of %s: %w", r.CIDR, err)
		}
		fam := int(topo.FamilyOfPrefix(r.CIDR))
		levels := []struct{ level, id, sort string }{
			{"zone", r.Zone, r.Zone},
			{"pod", r.Pod, r.Zone + "/" + r.Pod},
			{"tor", r.TOR, r.Zone + "/" + r.Pod + "/" + r.TOR},
		}
		for _, l := range levels {
			if l.id == "" {
				continue
			}
			k := key{l.level, l.id, r.Purpose, fam}
			u := agg[k]
			if u == nil {
				u = &usageRow{Level: l.level, ID: l.id, Purpose: r.Purpose, Family: fam}
				agg[k] = u
			}
			u.Subnets++
			u.Used += uint64(r.Used)
			u.Capacity = u.Capacity.add(capacity)
			order[l.level+"/"+l.id] = l.sort
		}
	}
	out := make([]usageRow, 0, len(agg))
	for _, u := range agg {
		if !u.Capacity.isZero() {
			u.Ratio = float64(u.Used) / u.Capacity.float()
		}
		out = append(out, *u)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		ka, kb := order[a.Level+"/"+a.ID], order[b.Level+"/"+b.ID]
		if ka != kb {
			return ka < kb
		}
		if a.Purpose != b.Purpose {
			return a.Purpose < b.Purpose
		}
		return a.Family < b.Family
	})
	return out, nil
}

func newUsageCmd(a *app) *cobra.Command {
	var level string
	c := &cobra.Command{
		Use:   "usage",
		Short: "Used / capacity per zone, pod, TOR, purpose and family",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			switch level {
			case "", "zone", "pod", "tor":
			default:
				return usagef("--level %q: use zone, pod or tor", level)
			}
			svc, err := a.service(c.Context(), store.ModeReadOnly)
			if err != nil {
				return err
			}
			rows, err := svc.Subnets(c.Context(), store.SubnetFilter{})
			if err != nil {
				return err
			}
			us, err := usage(rows)
			if err != nil {
				return err
			}
			kept := us[:0]
			for _, u := range us {
				if level == "" || u.Level == level {
					kept = append(kept, u)
				}
			}
			if a.json() {
				return a.printJSON(kept)
			}
			table := make([][]string, len(kept))
			for i, u := range kept {
				table[i] = []string{u.Level, u.ID, u.Purpose, fmt.Sprintf("IPv%d", u.Family),
					fmt.Sprint(u.Subnets), a.count(u.Used), a.total(u.Capacity), percent(u.Used, u.Capacity)}
			}
			return a.printTable([]string{"LEVEL", "ID", "PURPOSE", "FAMILY", "SUBNETS", "USED", "CAPACITY", "USE"}, table)
		},
	}
	c.Flags().StringVar(&level, "level", "", "only this level: zone, pod or tor")
	return c
}
