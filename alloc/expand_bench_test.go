package alloc

import (
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"
	"time"

	"go4.org/netipx"

	"github.com/netipam/netipam/topo"
)

// The aggregation simulation: the 16 TORs of a /16 pod start with a /26
// each, spread over the pod (one per /20), and grow at different random
// rates (seeded) through the real planning code (PlanExpansion: buddy,
// adjacent, any) until the pod is 90% claimed; beside it, the same growth
// with each new block (of the size the plan chose) placed at a random
// free position of the pod, as Calico places its blocks. The figure is the number of prefixes each
// TOR's blocks aggregate to (what its routes cost the spine).

const (
	simTORs    = 16
	simBits    = 26 // initial and expansion block
	simFull    = 0.9
	simMaxRate = 40 // addresses a tick, per TOR, at most
)

var simPod = netip.MustParsePrefix("10.0.0.0/16")

// simTOR is one TOR of the simulation.
type simTOR struct {
	blocks []netip.Prefix
	used   int64
	rate   int64
	stuck  bool
}

// simulate grows the pod's TORs until it is simFull claimed (or no TOR can
// grow) and gives each TOR's number of aggregated prefixes. random places
// each new block, of the size the plan chose, at a random free position.
func simulate(tb testing.TB, seed uint64, random bool) (prefixes []int, fill float64) {
	rng := rand.New(rand.NewPCG(seed, 1))
	tors := make([]*simTOR, simTORs)
	taken := map[netip.Prefix]bool{}
	claimed := 0
	for i := range tors {
		first := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 0, byte(i * 16), 0}), simBits)
		tors[i] = &simTOR{blocks: []netip.Prefix{first}, rate: 1 + rng.Int64N(simMaxRate)}
		taken[first] = true
		claimed += 1 << (32 - simBits)
	}
	podSize := 1 << (32 - simPod.Bits())
	rule := topo.ExpansionRule{Threshold: topo.DefaultThreshold, MaxSubnetsPerTOR: 4096, Horizon: topo.DefaultHorizon}
	order := make([]int, simTORs)
	for i := range order {
		order[i] = i
	}
	rngPlace := rand.New(rand.NewPCG(seed, 2)) // the random placement's own draws
	for ticks := 0; float64(claimed) < simFull*float64(podSize) && ticks < 1_000_000; ticks++ {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		grew := false
		for _, i := range order {
			t := tors[i]
			if t.stuck {
				continue
			}
			t.used += t.rate
			grew = true
			for float64(t.used) >= rule.Threshold*float64(capacityOf(t.blocks)) && !t.stuck {
				b := planned(tb, t, taken, rule)
				if random && b.IsValid() {
					b = randomFree(rngPlace, taken, b.Bits()) // the planned size, at a random place
				}
				if !b.IsValid() {
					t.stuck = true
					break
				}
				t.blocks = append(t.blocks, b)
				taken[b] = true
				claimed += 1 << (32 - b.Bits())
			}
		}
		if !grew {
			break
		}
	}
	out := make([]int, simTORs)
	for i, t := range tors {
		var sb netipx.IPSetBuilder
		for _, b := range t.blocks {
			sb.AddPrefix(b)
		}
		s, err := sb.IPSet()
		if err != nil {
			tb.Fatal(err)
		}
		out[i] = len(s.Prefixes())
	}
	return out, float64(claimed) / float64(podSize)
}

func capacityOf(blocks []netip.Prefix) int64 {
	n := int64(0)
	for _, b := range blocks {
		n += int64(1)<<(32-b.Bits()) - 3 // network, gateway, broadcast
	}
	return n
}

// planned asks PlanExpansion for the TOR's next block.
func planned(tb testing.TB, t *simTOR, taken map[netip.Prefix]bool, rule topo.ExpansionRule) netip.Prefix {
	in := ExpansionInput{TOR: "t", Pod: "p", Purpose: "default", Family: topo.IPv4, PodPrefixes: []netip.Prefix{simPod},
		Rule: rule}
	for b := range taken {
		in.Taken = append(in.Taken, b)
	}
	for i, b := range t.blocks {
		u := BlockUse{Subnet: topo.Subnet{CIDR: b, Purpose: "default", Gateway: topo.DefaultGateway(b)}}
		if i == 0 {
			u.Used = t.used
		}
		in.Blocks = append(in.Blocks, u)
	}
	p, err := PlanExpansion(in)
	if err != nil {
		tb.Fatal(err)
	}
	if !p.Need {
		tb.Fatalf("plan says no need at %d of %d", p.Used, p.Capacity)
	}
	return p.Block
}

// randomFree gives a random free /bits block of the pod, or none.
func randomFree(rng *rand.Rand, taken map[netip.Prefix]bool, bits int) netip.Prefix {
	var sb netipx.IPSetBuilder
	sb.AddPrefix(simPod)
	for p := range taken {
		sb.RemovePrefix(p)
	}
	free, _ := sb.IPSet()
	var cands []netip.Prefix
	for _, f := range free.Prefixes() {
		if f.Bits() > bits {
			continue
		}
		r := netipx.RangeOfPrefix(f)
		for a := f.Addr(); r.Contains(a); {
			c := netip.PrefixFrom(a, bits)
			cands = append(cands, c)
			a = netipx.PrefixLastIP(c).Next()
			if !a.IsValid() {
				break
			}
		}
	}
	if len(cands) == 0 {
		return netip.Prefix{}
	}
	return cands[rng.IntN(len(cands))]
}

// aggregation runs the simulation for seeds and gives the mean and p95 of
// the TORs' prefix counts, planned and random. Every run must fill the
// pod to simFull: one that stops short measures nothing.
func aggregation(tb testing.TB, seeds []uint64) (mean, p95, rmean, rp95 float64) {
	var planned, random []int
	for _, s := range seeds {
		for _, r := range []bool{false, true} {
			counts, fill := simulate(tb, s, r)
			if fill < simFull {
				tb.Fatalf("seed %d (random %v): the pod filled to %.2f only", s, r, fill)
			}
			if r {
				random = append(random, counts...)
			} else {
				planned = append(planned, counts...)
			}
		}
	}
	return meanOf(planned), p95Of(planned), meanOf(random), p95Of(random)
}

func meanOf(xs []int) float64 {
	sum := 0
	for _, x := range xs {
		sum += x
	}
	return float64(sum) / float64(len(xs))
}

func p95Of(xs []int) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return float64(s[(len(s)*95+99)/100-1])
}

var simSeeds = []uint64{1, 2, 3, 4, 5}

// BenchmarkExpansionAggregation reports the mean and p95 number of
// prefixes per TOR, planned (buddy, adjacent, any) and random, and the
// ratio of the means.
func BenchmarkExpansionAggregation(b *testing.B) {
	var mean, p95, rmean, rp95 float64
	for b.Loop() {
		mean, p95, rmean, rp95 = aggregation(b, simSeeds)
	}
	b.ReportMetric(mean, "prefixes/tor")
	b.ReportMetric(p95, "p95-prefixes/tor")
	b.ReportMetric(rmean, "random-prefixes/tor")
	b.ReportMetric(rp95, "random-p95-prefixes/tor")
	b.ReportMetric(mean/rmean, "ratio")
}

// The targets of the simulation: a planned TOR's routes at most half as
// many as random placement's on average, and at most 3 prefixes for 95% of
// TORs. Deterministic (seeded), so a test.
func TestExpansionAggregationTargets(t *testing.T) {
	start := time.Now()
	mean, p95, rmean, rp95 := aggregation(t, simSeeds[:2])
	t.Logf("planned mean %.2f p95 %.0f; random mean %.2f p95 %.0f (%v)", mean, p95, rmean, rp95, time.Since(start))
	if mean > rmean/2 {
		t.Errorf("planned mean %.2f prefixes per TOR, want at most half of random's %.2f", mean, rmean)
	}
	if p95 > 3 {
		t.Errorf("planned p95 %.0f prefixes per TOR, want at most 3", p95)
	}
}
