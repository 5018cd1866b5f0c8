package server

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/netipam/netipam/topo"
)

// poolDescs are the gauges of the pods' and zones' own subnets: which
// level serves, beside the TOR gauges (which count a TOR's own subnets
// only). Labels are bounded by the topology: level (pod or zone), the
// pod's or zone's id, purpose, family.
type poolDescs struct {
	capacity, used *prometheus.Desc
}

func newPoolDescs() poolDescs {
	labels := []string{"level", "owner_id", "purpose", "family"}
	return poolDescs{
		capacity: prometheus.NewDesc("ipam_pool_ip_capacity",
			"Addresses a pod's or zone's own subnets of one purpose and family can hand out (the pool nodes take from once their TOR is full).",
			labels, nil),
		used: prometheus.NewDesc("ipam_pool_ip_used",
			"Addresses allocated from a pod's or zone's own subnets of one purpose and family.",
			labels, nil),
	}
}

func (d poolDescs) describe(ch chan<- *prometheus.Desc) {
	ch <- d.capacity
	ch <- d.used
}

// poolKey is one pool gauge's labels.
type poolKey struct {
	level   topo.Level
	owner   string
	purpose string
	family  topo.Family
}

// poolOwner is the id a pool subnet's gauges name: the pod's or zone's.
func poolOwner(r topo.SubnetRow) string {
	if r.Level == topo.LevelZone {
		return r.Zone
	}
	return r.Pod
}

// poolSums adds a pool subnet's capacity and use to sums.
func poolSums(sums map[poolKey]*[2]float64, r topo.SubnetRow, capacity uint64) {
	k := poolKey{r.Level, poolOwner(r), r.Purpose, topo.FamilyOfPrefix(r.CIDR)}
	s := sums[k]
	if s == nil {
		s = &[2]float64{}
		sums[k] = s
	}
	s[0] += float64(capacity)
	s[1] += float64(r.Used)
}

// metrics gives the pool gauges of sums.
func (d poolDescs) metrics(sums map[poolKey]*[2]float64) []prometheus.Metric {
	var out []prometheus.Metric
	for k, s := range sums {
		labels := []string{string(k.level), k.owner, k.purpose, strconv.Itoa(int(k.family))}
		out = append(out, prometheus.MustNewConstMetric(d.capacity, prometheus.GaugeValue, s[0], labels...),
			prometheus.MustNewConstMetric(d.used, prometheus.GaugeValue, s[1], labels...))
	}
	return out
}

// usedRatio is a subnet's allocated share, 1 when it has no capacity.
func usedRatio(used int64, capacity uint64) float64 {
	if capacity == 0 {
		return 1
	}
	return float64(used) / float64(capacity)
}
