package store_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/store/storetest"
	"github.com/netipam/netipam/topo"
)

// loadChildEnv names the store a child process of BenchmarkLoadAll1M
// loads (TestLoadAllChild); loadModeEnv says what it does: "loadall"
// (alloc.Allocator.LoadAll of every subnet) or "raw" (the reference: read
// every allocation's subnet and address key, and keep nothing).
const (
	loadChildEnv = "NETIPAM_LOADALL_STORE"
	loadModeEnv  = "NETIPAM_LOADALL_MODE"
)

// TestLoadAllChild is BenchmarkLoadAll1M's child: it runs only with
// loadChildEnv set, and prints the load's time and the process's peak RSS.
func TestLoadAllChild(t *testing.T) {
	url := os.Getenv(loadChildEnv)
	if url == "" {
		t.Skip("the child of BenchmarkLoadAll1M")
	}
	ctx := context.Background()
	st, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rows, err := st.Subnets(ctx, topo.SubnetFilter{})
	if err != nil {
		t.Fatal(err)
	}
	subnets := make([]topo.Subnet, len(rows))
	for i, r := range rows {
		subnets[i] = r.Subnet
	}
	start := time.Now()
	n := 0
	switch os.Getenv(loadModeEnv) {
	case "raw":
		rs, err := st.Backend().Query(ctx, store.Q(`SELECT subnet, addr_key FROM allocations`))
		if err != nil {
			t.Fatal(err)
		}
		for rs.Next() {
			var s, k string
			if err := rs.Scan(&s, &k); err != nil {
				t.Fatal(err)
			}
			n++
		}
		if err := rs.Close(); err != nil {
			t.Fatal(err)
		}
	default:
		a := alloc.NewAllocator(st)
		if err := a.LoadAll(ctx, subnets); err != nil {
			t.Fatal(err)
		}
		n = len(subnets)
	}
	d := time.Since(start)
	fmt.Printf("LOADALL ns=%d n=%d hwm-kb=%d\n", d.Nanoseconds(), n, statusKB("VmHWM"))
}

// statusKB reads a field of /proc/self/status in kB (0 where there is none).
func statusKB(field string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// BenchmarkLoadAll1M measures a server's start-up: alloc.Allocator.LoadAll
// of every pool of a SQLite store holding 1,000,000 allocations (64 /16
// subnets), each run in a fresh child process so that its peak RSS is the
// load's alone, next to the reference in the same run: a child that only
// reads the same rows. Reports ms per load, the child's peak RSS in MB,
// and "ratio" (load time over the raw read's).
//
//	go test ./store/ -run '^$' -bench LoadAll1M -benchtime 3x
func BenchmarkLoadAll1M(b *testing.B) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		b.Skip("peak RSS comes from /proc/self/status")
	}
	url, _ := storetest.SeedCopy(b, seedDir(b), storetest.Bulk{Allocations: 1_000_000, Events: 1_000_000})
	child := func(mode string) (time.Duration, int64) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestLoadAllChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), loadChildEnv+"="+url, loadModeEnv+"="+mode)
		out, err := cmd.CombinedOutput()
		if err != nil {
			b.Fatalf("load child (%s): %v\n%s", mode, err, out)
		}
		var ns, n, kb int64
		for _, line := range strings.Split(string(out), "\n") {
			if _, err := fmt.Sscanf(line, "LOADALL ns=%d n=%d hwm-kb=%d", &ns, &n, &kb); err == nil {
				return time.Duration(ns), kb
			}
		}
		b.Fatalf("load child (%s) printed no figures:\n%s", mode, out)
		return 0, 0
	}
	child("raw") // a warm page cache for both
	b.ResetTimer()
	var load, raw time.Duration
	var peak, rawPeak int64
	for range b.N {
		d, kb := child("raw")
		raw, rawPeak = raw+d, max(rawPeak, kb)
		d, kb = child("loadall")
		load, peak = load+d, max(peak, kb)
	}
	b.ReportMetric(float64(load.Milliseconds())/float64(b.N), "load-ms")
	b.ReportMetric(float64(raw.Milliseconds())/float64(b.N), "read-ms")
	b.ReportMetric(float64(peak)/1024, "peak-MB")
	b.ReportMetric(float64(rawPeak)/1024, "read-peak-MB")
	b.ReportMetric(load.Seconds()/raw.Seconds(), "ratio")
}

// seedDir holds the seeded stores of this package's benchmarks, made once
// per process and removed by TestMain.
var seedDirPath string

func seedDir(b *testing.B) string {
	if seedDirPath == "" {
		d, err := os.MkdirTemp("", "netipam-store-bench-")
		if err != nil {
			b.Fatal(err)
		}
		seedDirPath = d
	}
	return seedDirPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if seedDirPath != "" {
		os.RemoveAll(seedDirPath)
	}
	os.Exit(code)
}
