package cmd

import (
	"fmt"
	"net/netip"

	"github.com/charmbracelet/lipgloss/tree"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

// poolJSON gives a pod's or zone's own subnets with their usage.
func poolJSON(subnets []topo.Subnet, bySubnet map[netip.Prefix]topo.SubnetRow) []subnetJSON {
	var out []subnetJSON
	for _, s := range subnets {
		out = append(out, subnetToJSON(bySubnet[s.CIDR]))
	}
	return out
}

// poolChildren adds a pod's or zone's own subnets to its tree node, each
// marked "pool": the level that serves once the TORs below are full.
func (a *app) poolChildren(t *tree.Tree, subnets []subnetJSON) {
	for _, s := range subnets {
		t.Child(safe(fmt.Sprintf("pool %s  %s  gw %s  %s/%s (%s)", s.CIDR, s.Purpose, s.Gateway,
			a.count(s.Used), a.count(s.Capacity), percent(s.Used, alloc.CountOf(s.Capacity)))))
	}
}

// torColumn is the TOR column of a subnet row: the TOR, or for a pod's or
// zone's own subnet its owner as subnets.tor_id holds it (pod:ID, zone:ID).
func torColumn(j subnetJSON) string {
	switch topo.Level(j.Level) {
	case topo.LevelPod:
		return store.PoolOwner(topo.LevelPod, j.Pod)
	case topo.LevelZone:
		return store.PoolOwner(topo.LevelZone, j.Zone)
	}
	return j.TOR
}
