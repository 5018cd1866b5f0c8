package e2e

import (
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

// BenchmarkCNIAdd measures CNI ADD latency with a fresh process per call,
// as a runtime sees it: netipam (SQLite store, synchronous=full) beside the
// reference host-local plugin (files in a dataDir) with as many addresses,
// with the same harness in the same run: dual-stack (an IPv4 /22 and an
// IPv6 /64) and one IPv4 address, sequentially and with 8 concurrent
// callers. Each run gets a fresh store and dataDir.
//
//	go test -run XXX -bench CNIAdd -benchtime 200x ./e2e/
func BenchmarkCNIAdd(b *testing.B) {
	benchAddVersusHostLocal(b, func(b *testing.B, url, node string) string {
		return netConf("1.0.0", url, fmt.Sprintf(`"node": %q`, node))
	})
}

// benchAddVersusHostLocal runs the ADD latency cases (dual-stack and one
// IPv4 address, 1 and 8 callers), each on a fresh seeded store, with the
// netipam config conf gives for the store and node beside host-local's.
func benchAddVersusHostLocal(b *testing.B, conf func(b *testing.B, url, node string) string) {
	hostLocal := filepath.Join(cniPluginDir(b, "host-local"), "host-local")
	for _, fam := range []struct{ name, node, ranges string }{
		{"dual-stack", "node-01", `[[{"subnet": "10.244.0.0/22"}], [{"subnet": "fd00:10:244:1::/64"}]]`},
		{"ipv4", "node-07", `[[{"subnet": "10.245.0.0/22"}]]`},
	} {
		for _, callers := range []int{1, 8} {
			b.Run(fmt.Sprintf("%s/callers=%d", fam.name, callers), func(b *testing.B) {
				b.StopTimer()
				url, _ := seeded(b)
				netipam := conf(b, url, fam.node)
				hl := fmt.Sprintf(`{"cniVersion": "1.0.0", "name": "netipam-bench", "type": "bridge",
					"ipam": {"type": "host-local", "dataDir": %q, "ranges": %s}}`,
					filepath.Join(b.TempDir(), "host-local"), fam.ranges)
				b.StartTimer()
				n := addLatencies(b, binary, netipam, callers, b.N)
				h := addLatencies(b, hostLocal, hl, callers, b.N)
				b.StopTimer()
				reportVersusHostLocal(b, n, h)
			})
		}
	}
}

// reportVersusHostLocal reports netipam's and host-local's p50 and p99
// latencies (sorted) and their ratios.
func reportVersusHostLocal(b *testing.B, netipam, hostLocal []time.Duration) {
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(percentile(netipam, 50)), "netipam-p50-ms")
	b.ReportMetric(ms(percentile(netipam, 99)), "netipam-p99-ms")
	b.ReportMetric(ms(percentile(hostLocal, 50)), "host-local-p50-ms")
	b.ReportMetric(ms(percentile(hostLocal, 99)), "host-local-p99-ms")
	b.ReportMetric(ms(percentile(netipam, 50))/ms(percentile(hostLocal, 50)), "p50-ratio")
	b.ReportMetric(ms(percentile(netipam, 99))/ms(percentile(hostLocal, 99)), "p99-ratio")
}

// addLatencies runs n ADDs of distinct containers through a plugin binary
// from `callers` goroutines and returns each call's latency, sorted.
func addLatencies(b *testing.B, bin, conf string, callers, n int) []time.Duration {
	b.Helper()
	jobs := make(chan int)
	out := make([]time.Duration, n)
	var wg sync.WaitGroup
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				start := time.Now()
				r := runPlugin(b, bin, cniCall{command: "ADD", container: fmt.Sprintf("bench-%06d", i), conf: conf})
				out[i] = time.Since(start)
				if r.code != 0 {
					b.Errorf("%s ADD bench-%06d: exit %d: %s%s", filepath.Base(bin), i, r.code, r.stdout, r.stderr)
				}
			}
		}()
	}
	for i := range n {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if b.Failed() {
		b.FailNow()
	}
	slices.Sort(out)
	return out
}

// percentile of sorted latencies (nearest rank).
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p + 99) / 100 // ceil(n*p/100)
	return sorted[max(i, 1)-1]
}
