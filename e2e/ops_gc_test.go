package e2e

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netipam/netipam/ipam/local"
)

// TestGCTwoPhase: a first run only marks; a run within the grace period
// releases nothing; a run once the mark and the allocation are older than
// the grace period releases, in one batch with "gc" ledger events naming
// the run, and nothing else.
func TestGCTwoPhase(t *testing.T) {
	t.Parallel()
	url, _, addr := gcSeeded(t, 3)
	live := "net1 c1 eth0\n"
	rep := gcRun(t, url, gcAt(0), live)
	if got := actions(rep); len(got) != 2 || got[addr["c2"]] != "mark" || got[addr["c3"]] != "mark" {
		t.Fatalf("first run: %v, want c2 and c3 marked", got)
	}
	rep = gcRun(t, url, gcAt(14*time.Minute), live)
	if got := actions(rep); got[addr["c2"]] != "wait" || got[addr["c3"]] != "wait" {
		t.Fatalf("within the grace period: %v, want both waiting", got)
	}
	mustRun(t, url, "history", "--ip", addr["c2"]) // still held
	rep = gcRun(t, url, gcAt(16*time.Minute), live)
	if got := actions(rep); got[addr["c2"]] != "release" || got[addr["c3"]] != "release" || rep.Counts["release"] != 2 {
		t.Fatalf("after the grace period: %v, want both released", got)
	}
	left := mustRun(t, url, "sql", "SELECT container FROM allocations WHERE node_id = 'node-01' ORDER BY container")
	if strings.Contains(left, "c2") || strings.Contains(left, "c3") || !strings.Contains(left, "c1") {
		t.Fatalf("left after gc:\n%s", left)
	}
	evs := mustRun(t, url, "sql", "SELECT kind, address, detail FROM events WHERE kind = 'gc' ORDER BY address")
	if strings.Count(evs, "gc:"+rep.Run) != 2 {
		t.Fatalf("gc events:\n%s\nwant two naming run %s", evs, rep.Run)
	}
	if out := mustRun(t, url, "report", "leaks"); strings.Contains(out, addr["c2"]) {
		t.Fatalf("report leaks still lists a released address:\n%s", out)
	}
}

// TestGCYoungAllocationNeverReleased: an allocation recorded by a clock
// ahead of gc's (so younger than the grace period however long it has
// been missing) is marked, never released.
func TestGCYoungAllocationNeverReleased(t *testing.T) {
	t.Parallel()
	url, _, addr := gcSeeded(t, 1)
	out := mustRunAt(t, url, gcAt(40*time.Minute), "", "alloc", "--node", "node-01", "--network", "net1",
		"--container", "young", "--family", "4", "-o", "json")
	var as []struct {
		Address string `json:"address"`
	}
	if err := json.Unmarshal([]byte(out), &as); err != nil || len(as) != 1 {
		t.Fatalf("alloc: %v %s", err, out)
	}
	live := "net1 c1 eth0\n"
	gcRun(t, url, gcAt(0), live)
	for _, d := range []time.Duration{20 * time.Minute, 50 * time.Minute} {
		rep := gcRun(t, url, gcAt(d), live)
		if got := actions(rep)[as[0].Address]; got == "release" {
			t.Fatalf("at +%s: the young allocation is released", d)
		}
	}
	rep := gcRun(t, url, gcAt(56*time.Minute), live)
	if got := actions(rep); got[as[0].Address] != "release" || got[addr["c1"]] != "" {
		t.Fatalf("once old enough: %v, want the young one released and c1 untouched", got)
	}
}

// TestGCReappearingAttachmentUnmarked: a candidate back in the live list
// is unmarked; missing again, its grace period starts over.
func TestGCReappearingAttachmentUnmarked(t *testing.T) {
	t.Parallel()
	url, _, addr := gcSeeded(t, 2)
	gcRun(t, url, gcAt(0), "net1 c1 eth0\n")
	rep := gcRun(t, url, gcAt(10*time.Minute), "net1 c1 eth0\nnet1 c2 eth0\n")
	if got := actions(rep)[addr["c2"]]; got != "unmark" {
		t.Fatalf("back in the list: %q, want unmark", got)
	}
	if out := mustRun(t, url, "report", "leaks", "-o", "json"); strings.Contains(out, addr["c2"]) {
		t.Fatalf("report leaks lists the unmarked address:\n%s", out)
	}
	rep = gcRun(t, url, gcAt(20*time.Minute), "net1 c1 eth0\n")
	if got := actions(rep)[addr["c2"]]; got != "mark" {
		t.Fatalf("missing again: %q, want marked afresh", got)
	}
	rep = gcRun(t, url, gcAt(30*time.Minute), "net1 c1 eth0\n")
	if got := actions(rep)[addr["c2"]]; got != "wait" {
		t.Fatalf("10 minutes after the new mark: %q, want wait", got)
	}
	rep = gcRun(t, url, gcAt(36*time.Minute), "net1 c1 eth0\n")
	if got := actions(rep)[addr["c2"]]; got != "release" {
		t.Fatalf("16 minutes after the new mark: %q, want release", got)
	}
}

// TestGCDryRunChangesNothing: a dry run that would mark and release
// prints both and leaves every table as it was.
func TestGCDryRunChangesNothing(t *testing.T) {
	t.Parallel()
	url, path, addr := gcSeeded(t, 3)
	gcRun(t, url, gcAt(0), "net1 c1 eth0\nnet1 c3 eth0\n")
	before := dump(t, path)
	rep := gcRun(t, url, gcAt(20*time.Minute), "net1 c1 eth0\n", "--dry-run")
	if got := actions(rep); got[addr["c2"]] != "release" || got[addr["c3"]] != "mark" || !rep.DryRun {
		t.Fatalf("dry run: %v, want c2 released and c3 marked", got)
	}
	text := mustRunAt(t, url, gcAt(20*time.Minute), "net1 c1 eth0\n", "gc", "--node", "node-01", "--live", "-", "--dry-run")
	if !strings.Contains(text, "would be released") || !strings.Contains(text, "nothing was changed") {
		t.Fatalf("dry run text:\n%s", text)
	}
	if after := dump(t, path); after != before {
		t.Fatalf("a dry run changed the store:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// TestGCFromReport: a reviewed report releases exactly its "release"
// entries; a report with one entry that no longer matches the store
// (tampered, or the address released and handed out again) releases
// nothing.
func TestGCFromReport(t *testing.T) {
	t.Parallel()
	url, path, addr := gcSeeded(t, 4)
	gcRun(t, url, gcAt(0), "net1 c1 eth0\nnet1 c4 eth0\n")
	gcRun(t, url, gcAt(10*time.Minute), "net1 c1 eth0\n") // c4 marked later
	out := mustRunAt(t, url, gcAt(20*time.Minute), "net1 c1 eth0\n", "gc", "--node", "node-01", "--live", "-",
		"--dry-run", "-o", "json")
	var rep local.GCReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if got := actions(rep); got[addr["c2"]] != "release" || got[addr["c3"]] != "release" || got[addr["c4"]] != "wait" {
		t.Fatalf("report: %v", got)
	}
	dir := t.TempDir()
	for _, tc := range []struct {
		name   string
		tamper func(e *local.GCReportEntry)
		want   string
	}{
		{"container", func(e *local.GCReportEntry) { e.Allocation.Container = "c9" }, "no longer match"},
		{"network", func(e *local.GCReportEntry) { e.Allocation.Network = "net2" }, "no longer match"},
		{"allocated at", func(e *local.GCReportEntry) { e.Allocation.At = e.Allocation.At.Add(time.Second) }, "no longer match"},
		{"address", func(e *local.GCReportEntry) { e.Allocation.Address = e.Allocation.Address.Next() }, "no longer match"},
	} {
		bad := rep
		bad.Entries = append([]local.GCReportEntry(nil), rep.Entries...)
		for i := range bad.Entries {
			if bad.Entries[i].Allocation.Address.String() == addr["c3"] {
				tc.tamper(&bad.Entries[i])
			}
		}
		b, _ := json.Marshal(bad)
		before := dump(t, path)
		r := runAt(t, url, gcAt(21*time.Minute), "", "gc", "--from-report", writeFile(t, dir, "bad.json", string(b)))
		if r.code != 4 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%s tampered: exit %d %s, want 4 and %q", tc.name, r.code, r.stderr, tc.want)
		}
		if after := dump(t, path); after != before {
			t.Fatalf("%s tampered: the store changed", tc.name)
		}
	}
	good := writeFile(t, dir, "report.json", out)
	res := runAt(t, url, gcAt(21*time.Minute), "", "gc", "--from-report", good, "-o", "json")
	if res.code != 0 {
		t.Fatalf("from report: exit %d %s", res.code, res.stderr)
	}
	var done local.GCReport
	if err := json.Unmarshal([]byte(res.stdout), &done); err != nil {
		t.Fatal(err)
	}
	if got := actions(done); len(got) != 2 || got[addr["c2"]] != "release" || got[addr["c3"]] != "release" {
		t.Fatalf("released %v, want exactly c2 and c3", got)
	}
	left := mustRun(t, url, "sql", "SELECT container FROM allocations WHERE node_id = 'node-01' ORDER BY container")
	if !strings.Contains(left, "c1") || !strings.Contains(left, "c4") || strings.Contains(left, "c2") {
		t.Fatalf("left:\n%s", left)
	}
	// The same report again: its addresses are no longer held.
	before := dump(t, path)
	if r := runAt(t, url, gcAt(22*time.Minute), "", "gc", "--from-report", good); r.code != 4 ||
		!strings.Contains(r.stderr, "no longer held") {
		t.Fatalf("report applied twice: exit %d %s", r.code, r.stderr)
	}
	// Handed out again to the same attachment at the same address: a new
	// allocation the report never saw.
	mustRunAt(t, url, gcAt(22*time.Minute), "", "alloc", "--node", "node-01", "--network", "net1", "--container", "c2",
		"--ip", addr["c2"])
	before = dump(t, path)
	if r := runAt(t, url, gcAt(50*time.Minute), "", "gc", "--from-report", good); r.code != 4 {
		t.Fatalf("report on a re-allocated address: exit %d %s", r.code, r.stderr)
	}
	if after := dump(t, path); after != before {
		t.Fatal("a refused report changed the store")
	}
}

// TestGCBadInput: every bad live list, flag or report is one line naming
// what and where, exit 2 (3 for an unknown node), and changes nothing.
func TestGCBadInput(t *testing.T) {
	t.Parallel()
	url, path, _ := gcSeeded(t, 2)
	dir := t.TempDir()
	long := strings.Repeat("x", 16)
	for _, tc := range []struct {
		name, live string
		args       []string
		code       int
		want       string
	}{
		{"two fields", "net1 c1 eth0\nnet1 c2\n", nil, 2, "live.txt:2: 2 field(s), want 3"},
		{"four fields", "# head\n\nnet1 c1 eth0 extra\n", nil, 2, "live.txt:3: 4 field(s)"},
		{"bad container", "net1 c1 eth0\nnet1 -c2 eth0\n", nil, 2, "live.txt:2: container ID"},
		{"bad network", "net/1 c1 eth0\n", nil, 2, "live.txt:1: network"},
		{"long ifname", "net1 c1 " + long + "\n", nil, 2, "live.txt:1: interface name"},
		{"crictl no items", `{"pods": []}`, nil, 2, `no "items"`},
		{"crictl bad id", `{"items": [{"id": "ok1"}, {"id": "", "metadata": {"namespace": "ns", "name": "web"}}]}`, nil, 2, "items[1].id (pod ns/web)"},
		{"crictl broken", `{"items": [`, nil, 2, "not the JSON of `crictl pods -o json`"},
		{"empty list", "# nothing\n", nil, 2, "--allow-empty"},
		{"unknown node", "net1 c1 eth0\n", []string{"--node", "node-99"}, 3, "node-99"},
		{"negative grace", "net1 c1 eth0\n", []string{"--grace", "-1m"}, 2, "--grace"},
		{"no live", "", []string{"--live", ""}, 2, "exactly one of --live"},
	} {
		before := dump(t, path)
		file := writeFile(t, dir, "live.txt", tc.live)
		args := append([]string{"gc", "--node", "node-01", "--live", file}, tc.args...)
		r := runAt(t, url, gcAt(0), "", args...)
		lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
		if r.code != tc.code || !strings.Contains(r.stderr, tc.want) || len(lines) != 1 {
			t.Errorf("%s: exit %d %q, want %d and one line with %q", tc.name, r.code, r.stderr, tc.code, tc.want)
		}
		if after := dump(t, path); after != before {
			t.Errorf("%s: the store changed", tc.name)
		}
	}
	// An empty list is accepted when said so.
	rep := gcRun(t, url, gcAt(0), "", "--allow-empty")
	if rep.Counts["mark"] != 2 {
		t.Fatalf("--allow-empty: %+v, want both marked", rep.Counts)
	}
}

// TestGCCrictlAndNodeAddresses: a `crictl pods -o json` list matches by
// container alone (any network, any interface); an address held by the
// node itself is never collected unless --include-node-addresses.
func TestGCCrictlAndNodeAddresses(t *testing.T) {
	t.Parallel()
	url, _, addr := gcSeeded(t, 2)
	mustRunAt(t, url, gcAt(0), "", "alloc", "--node", "node-01", "--network", "net2", "--container", "c1",
		"--ifname", "net1", "--family", "4")
	mustRunAt(t, url, gcAt(0), "", "alloc", "--node", "node-01", "--family", "4")
	crictl := `{"items": [{"id": "c1", "metadata": {"name": "web-0", "namespace": "default"}, "state": "SANDBOX_READY"}]}`
	rep := gcRun(t, url, gcAt(0), crictl)
	if rep.Match != "container" || len(rep.Entries) != 1 || rep.Entries[0].Allocation.Address.String() != addr["c2"] {
		t.Fatalf("crictl run: match %s, %v; want only c2 marked, c1 kept on both networks", rep.Match, actions(rep))
	}
	if text := mustRunAt(t, url, gcAt(0), crictl, "gc", "--node", "node-01", "--live", "-", "--dry-run"); !strings.Contains(text,
		"matched by container ID only") {
		t.Fatalf("a crictl run does not say how it matches:\n%s", text)
	}
	rep = gcRun(t, url, gcAt(20*time.Minute), crictl)
	if len(rep.Entries) != 1 || rep.Counts["release"] != 1 {
		t.Fatalf("crictl second run: %v", actions(rep))
	}
	rep = gcRun(t, url, gcAt(40*time.Minute), crictl, "--include-node-addresses")
	if rep.Counts["mark"] != 1 || rep.Entries[0].Allocation.Container != "" {
		t.Fatalf("--include-node-addresses: %+v, want the node's own address marked", rep.Entries)
	}
}

// TestGCConcurrentAllocation: addresses handed out while gc runs are never
// released by it, however many runs race with them; the leaked ones are.
func TestGCConcurrentAllocation(t *testing.T) {
	t.Parallel()
	url, _, addr := gcSeeded(t, 3)
	live := "net1 c1 eth0\n"
	gcRun(t, url, gcAt(0), live) // marks c2 and c3
	now := gcAt(20 * time.Minute)
	var wg sync.WaitGroup
	errs := make(chan string, 32)
	for w := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 5 {
				c := "new-" + string(rune('a'+w)) + string(rune('a'+i))
				if r := runAt(t, url, now, "", "alloc", "--node", "node-01", "--network", "net1", "--container", c,
					"--family", "4"); r.code != 0 {
					errs <- c + ": " + r.stderr
				}
			}
		}()
	}
	for range 4 {
		gcRun(t, url, now, live)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	held := mustRun(t, url, "sql", "SELECT container FROM allocations WHERE node_id = 'node-01'")
	if n := strings.Count(held, "new-"); n != 15 {
		t.Fatalf("%d of 15 concurrent allocations left:\n%s", n, held)
	}
	if strings.Contains(held, "c2") || strings.Contains(held, "c3") {
		t.Fatalf("the leaked addresses %s, %s are still held:\n%s", addr["c2"], addr["c3"], held)
	}
}
