package e2e

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/netipam/netipam/store/storetest"
)

// BenchmarkScale measures the per-call latency of CNI ADD and DEL (a fresh
// plugin process per call, as a runtime starts it) and of the CLI's alloc
// and release, on a store with a topology only and on the same store with
// 1,000,000 allocations and 1,000,000 ledger events.
// Calls alternate between the two stores, so that both see the same
// machine; the ratio large/empty of the p50s is what the issue bounds
// (at most 1.2).
//
//	go test -run '^$' -bench Scale -benchtime 100x ./e2e/
func BenchmarkScale(b *testing.B) {
	b.StopTimer()
	// The same regular topology twice (storetest.SeedBulk: 64 TORs, a /16
	// each), empty and with a million allocations and events spread over
	// every subnet; the calls run on tor-0, which holds its share.
	dir := b.TempDir()
	emptyURL, _ := storetest.SeedCopy(b, dir, storetest.Bulk{})
	start := time.Now()
	bigURL, _ := storetest.SeedCopy(b, dir, storetest.Bulk{Allocations: 1_000_000, Events: 1_000_000})
	b.Logf("seeded 1,000,000 allocations and events in %v", time.Since(start).Round(time.Millisecond))
	node := storetest.DefaultBulk.Node(0, 0)
	conf := func(url string) string { return netConf("1.1.0", url, `"node": "`+node+`"`) }
	// Each operation gets container names of its own; one that releases
	// first allocates, untimed, what it releases.
	cni := func(command, prefix string) func(string, int) {
		return func(url string, i int) {
			cniOK(b, cniCall{command: command, container: fmt.Sprintf("%s-%06d", prefix, i), conf: conf(url)})
		}
	}
	cli := func(verb, prefix string) func(string, int) {
		return func(url string, i int) {
			args := []string{verb, "--container", fmt.Sprintf("%s-%06d", prefix, i)}
			if verb == "alloc" {
				args = append(args, "--node", storetest.DefaultBulk.Node(0, 1))
			}
			mustRun(b, url, args...)
		}
	}
	ops := []struct {
		name          string
		prepare, call func(url string, i int)
	}{
		{"cni-add", nil, cni("ADD", "add")},
		{"cni-del", cni("ADD", "del"), cni("DEL", "del")},
		{"cli-alloc", nil, cli("alloc", "alloc")},
		{"cli-release", cli("alloc", "release"), cli("release", "release")},
	}
	timed := func(o func(string, int), url string, i int) time.Duration {
		t := time.Now()
		o(url, i)
		return time.Since(t)
	}
	seq := 0 // every call of every run its own container
	for _, o := range ops {
		b.Run(o.name, func(b *testing.B) {
			var empty, large []time.Duration
			for range b.N {
				seq++
				i := seq
				if o.prepare != nil {
					o.prepare(emptyURL, i)
					o.prepare(bigURL, i)
				}
				empty = append(empty, timed(o.call, emptyURL, i))
				large = append(large, timed(o.call, bigURL, i))
			}
			slices.Sort(empty)
			slices.Sort(large)
			ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
			b.ReportMetric(ms(percentile(empty, 50)), "empty-p50-ms")
			b.ReportMetric(ms(percentile(large, 50)), "1M-p50-ms")
			b.ReportMetric(ms(percentile(large, 50))/ms(percentile(empty, 50)), "p50-ratio")
			b.ReportMetric(ms(percentile(large, 99))/ms(percentile(empty, 99)), "p99-ratio")
		})
	}
}
