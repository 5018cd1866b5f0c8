package topo

import (
	"fmt"
	"slices"
)

// Level is where a subnet's pool sits: a TOR, a pod or a zone.
type Level string

// Levels, nearest to the node first.
const (
	LevelTOR  Level = "tor"
	LevelPod  Level = "pod"
	LevelZone Level = "zone"
)

// Levels lists the levels in the order a node allocates from them.
var Levels = []Level{LevelTOR, LevelPod, LevelZone}

// Rank orders levels for allocation: 0 for the TOR (or empty), 1 for the
// pod, 2 for the zone.
func (l Level) Rank() int {
	switch l {
	case LevelPod:
		return 1
	case LevelZone:
		return 2
	}
	return 0
}

// String gives the level's name, "tor" when empty.
func (l Level) String() string {
	if l == "" {
		return string(LevelTOR)
	}
	return string(l)
}

// ParseLevel reads a level name (a strategy's value).
func ParseLevel(s string) (Level, error) {
	if l := Level(s); slices.Contains(Levels, l) {
		return l, nil
	}
	return "", fmt.Errorf("unknown level %s: use tor, pod or zone", Quote(s))
}

// PoolSubnetRef is a pod's or zone's own subnet with where it sits.
type PoolSubnetRef struct {
	Level     Level
	Zone, Pod string // Pod empty for a zone's subnet
	Subnet    Subnet
}

// Owner is the id of the pod or zone that holds the subnet.
func (r PoolSubnetRef) Owner() string {
	if r.Level == LevelZone {
		return r.Zone
	}
	return r.Pod
}

// PoolSubnets returns every pod's and zone's own subnet, zone by zone:
// the zone's first, then its pods' in file order.
func (t *Topology) PoolSubnets() []PoolSubnetRef {
	var out []PoolSubnetRef
	for _, z := range t.Zones {
		for _, s := range z.Subnets {
			out = append(out, PoolSubnetRef{Level: LevelZone, Zone: z.ID, Subnet: s})
		}
		for _, p := range z.Pods {
			for _, s := range p.Subnets {
				out = append(out, PoolSubnetRef{Level: LevelPod, Zone: z.ID, Pod: p.ID, Subnet: s})
			}
		}
	}
	return out
}
