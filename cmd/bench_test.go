package cmd

import (
	"context"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netipam/netipam/store/storetest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

// benchDir holds the stores of the 1M benchmarks, seeded once per process
// (storetest.SeedFile): the same topology (2 zones x 4 pods x 8 TORs, a /16
// each, 4 nodes per TOR) with 1,000,000 allocations and 1,000,000 ledger
// events, and with none.
var (
	benchDirOnce sync.Once
	benchDir     string
)

const benchRows = 1_000_000

func benchStores(b *testing.B) (big, empty string) {
	b.Helper()
	benchDirOnce.Do(func() {
		var err error
		if benchDir, err = os.MkdirTemp("", "netipam-bench-"); err != nil {
			b.Fatal(err)
		}
	})
	start := time.Now()
	big = storetest.SeedFile(b, benchDir, storetest.Bulk{Allocations: benchRows, Events: benchRows})
	empty = storetest.SeedFile(b, benchDir, storetest.Bulk{})
	if d := time.Since(start); d > time.Second {
		b.Logf("seeded %d allocations and %d events in %v", benchRows, benchRows, d.Round(time.Millisecond))
	}
	return big, empty
}

// timeRun runs one netipam command in-process, as the binary does (its own
// store open and close included), output discarded; it gives the time.
func timeRun(b *testing.B, args ...string) time.Duration {
	b.Helper()
	var errb strings.Builder
	start := time.Now()
	code := Run(context.Background(), args, IOStreams{In: strings.NewReader(""), Out: io.Discard, Err: &errb})
	d := time.Since(start)
	if code != 0 {
		b.Fatalf("netipam %s: exit %d: %s", strings.Join(args, " "), code, errb.String())
	}
	return d
}

// benchReport runs a report command on the 1M store beside two references
// measured in the same iterations: the same command on the same topology
// without allocations, and the floor of touching every allocation once
// (SELECT COUNT(*) FROM allocations, through `netipam sql`).
func benchReport(b *testing.B, args ...string) {
	big, empty := benchStores(b)
	var tBig, tEmpty, tCount time.Duration
	b.ResetTimer()
	for range b.N {
		tBig += timeRun(b, append([]string{"--store", big}, args...)...)
		tEmpty += timeRun(b, append([]string{"--store", empty}, args...)...)
		tCount += timeRun(b, "--store", big, "sql", "SELECT COUNT(*) FROM allocations")
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) / float64(b.N) }
	b.ReportMetric(ms(tBig), "1M-ms")
	b.ReportMetric(ms(tEmpty), "empty-ms")
	b.ReportMetric(ms(tCount), "count-ms")
	b.ReportMetric(ms(tBig)/ms(tEmpty), "vs-empty-ratio")
	b.ReportMetric(ms(tBig)/ms(tCount), "vs-count-ratio")
}

// BenchmarkUsage1M: `netipam usage` over 1,000,000 allocations.
//
//	go test -run '^$' -bench '1M$' -benchtime 5x ./cmd/
func BenchmarkUsage1M(b *testing.B) { benchReport(b, "usage") }

// BenchmarkTopoShow1M: `netipam topo show` over 1,000,000 allocations.
func BenchmarkTopoShow1M(b *testing.B) { benchReport(b, "topo", "show") }
