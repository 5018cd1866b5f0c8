package alloc

import (
	"fmt"
	"sort"

	"github.com/netipam/netipam/topo"
)

// SubnetUse is a subnet, where it sits and how many of its addresses are
// held: what Usage and CheckRoom read (topo.SubnetRow carries it).
type SubnetUse struct {
	Subnet         topo.Subnet
	Zone, Pod, TOR string // Pod and Zone empty for a virtual TOR
	// Level is the subnet's owner: a TOR (empty or LevelTOR), or a pod's
	// or zone's own pool (TOR empty, and Pod too for a zone's).
	Level topo.Level
	Used  int64
}

// UsageRow is used / capacity of one level (zone, pod, TOR) for one
// purpose and family.
type UsageRow struct {
	Level    string    `json:"level"`
	ID       string    `json:"id"`
	Purpose  string    `json:"purpose"`
	Family   int       `json:"family"`
	Subnets  int       `json:"subnets"`
	Used     uint64    `json:"used"`
	Capacity AddrCount `json:"capacity"` // exact, past 2^64 too
	Ratio    float64   `json:"ratio"`
}

// Usage aggregates subnets by zone, pod and TOR, each per purpose and
// family, ordered zone > pod > TOR. A pod's or zone's own subnets count in
// the pod's and zone's totals, and in a row of their own (level "pod-pool"
// or "zone-pool"), so that which level serves shows.
func Usage(rows []SubnetUse) ([]UsageRow, error) {
	type key struct {
		level, id, purpose string
		family             int
	}
	agg := map[key]*UsageRow{}
	order := map[string]string{} // level/id -> sort key
	for _, r := range rows {
		capacity, err := Capacity(r.Subnet)
		if err != nil {
			return nil, fmt.Errorf("capacity of %s: %w", r.Subnet.CIDR, err)
		}
		fam := int(topo.FamilyOfPrefix(r.Subnet.CIDR))
		levels := []struct{ level, id, sort string }{
			{"zone", r.Zone, r.Zone},
			{"pod", r.Pod, r.Zone + "/" + r.Pod},
			{"tor", r.TOR, r.Zone + "/" + r.Pod + "/" + r.TOR},
		}
		switch r.Level {
		case topo.LevelPod:
			levels = append(levels, struct{ level, id, sort string }{"pod-pool", r.Pod, r.Zone + "/" + r.Pod + "/"})
		case topo.LevelZone:
			levels = append(levels, struct{ level, id, sort string }{"zone-pool", r.Zone, r.Zone + "/"})
		}
		for _, l := range levels {
			if l.id == "" {
				continue
			}
			k := key{l.level, l.id, r.Subnet.Purpose, fam}
			u := agg[k]
			if u == nil {
				u = &UsageRow{Level: l.level, ID: l.id, Purpose: r.Subnet.Purpose, Family: fam}
				agg[k] = u
			}
			u.Subnets++
			u.Used += uint64(max(r.Used, 0))
			u.Capacity = u.Capacity.Add(capacity)
			order[l.level+"/"+l.id] = l.sort
		}
	}
	out := make([]UsageRow, 0, len(agg))
	for _, u := range agg {
		if !u.Capacity.IsZero() {
			u.Ratio = float64(u.Used) / u.Capacity.Float()
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
