package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/ipam/local"
	"github.com/netipam/netipam/topo"
)

// heldEntry gives the allocation a container holds, as a report's
// "release" entry: what someone pastes into a report by hand.
func heldEntry(t *testing.T, path, container string) local.GCReportEntry {
	t.Helper()
	_, rows := sqlScan(t, path, `SELECT address, subnet, purpose, node_id, tor_id, network, container, ifname,
		allocated_at FROM allocations WHERE container = '`+container+`'`)
	if len(rows) != 1 {
		t.Fatalf("%d allocations of %s, want 1", len(rows), container)
	}
	s := func(i int) string { return rows[0][i].(string) }
	at, err := time.Parse(time.RFC3339Nano, s(8))
	if err != nil {
		t.Fatal(err)
	}
	return local.GCReportEntry{Action: alloc.GCRelease, Allocation: topo.Allocation{Address: netip.MustParseAddr(s(0)),
		Subnet: netip.MustParsePrefix(s(1)), Purpose: s(2), Node: s(3), TOR: s(4), Network: s(5), Container: s(6),
		IfName: s(7), At: at}}
}

// fromReport writes rep and runs `gc --from-report` on it at now (plus
// extra flags); it checks the store is unchanged unless wantCode is 0.
func fromReport(t *testing.T, url, path, now string, rep local.GCReport, wantCode int, want string, extra ...string) {
	t.Helper()
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	file := writeFile(t, t.TempDir(), "report.json", string(b))
	before := dump(t, path)
	r := runAt(t, url, now, "", append([]string{"gc", "--from-report", file}, extra...)...)
	if r.code != wantCode || !strings.Contains(r.stderr, want) {
		t.Fatalf("gc --from-report %v: exit %d %s, want %d and %q", extra, r.code, r.stderr, wantCode, want)
	}
	if wantCode != 0 && dump(t, path) != before {
		t.Fatal("a refused report changed the store")
	}
}

// TestGCFromReportPastedLiveRows: the rows of a live container pasted into
// a reviewed report as "release" entries release nothing, not even the
// report's genuine entries: a report releases only candidates an earlier
// run recorded.
func TestGCFromReportPastedLiveRows(t *testing.T) {
	t.Parallel()
	url, path, addr := gcSeeded(t, 2)
	gcRun(t, url, gcAt(time.Minute), "net1 c1 eth0\n") // c2 missing, c1 (live1) live
	out := mustRunAt(t, url, gcAt(20*time.Minute), "net1 c1 eth0\n", "gc", "--node", "node-01", "--live", "-",
		"--dry-run", "-o", "json")
	var rep local.GCReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if got := actions(rep); len(got) != 1 || got[addr["c2"]] != "release" {
		t.Fatalf("reviewed report: %v, want c2 released only", got)
	}
	rep.Entries = append(rep.Entries, heldEntry(t, path, "c1"))
	fromReport(t, url, path, gcAt(21*time.Minute), rep, 4, addr["c1"]+" is not a gc candidate")
	// The report as reviewed still applies.
	rep.Entries = rep.Entries[:1]
	fromReport(t, url, path, gcAt(21*time.Minute), rep, 0, "")
	if left := mustRun(t, url, "sql", "SELECT container FROM allocations WHERE node_id = 'node-01'"); !strings.Contains(left, "c1") ||
		strings.Contains(left, "c2") {
		t.Fatalf("left:\n%s", left)
	}
}

// TestGCFromReportNodeNeverCollected: a report written from scratch for a
// node gc never ran on releases nothing.
func TestGCFromReportNodeNeverCollected(t *testing.T) {
	t.Parallel()
	url, path, _ := gcSeeded(t, 1)
	mustRunAt(t, url, gcAt(0), "", "alloc", "--node", "node-02", "--network", "net1", "--container", "x1", "--family", "4")
	e := heldEntry(t, path, "x1")
	rep := local.GCReport{Node: "node-02", Entries: []local.GCReportEntry{e}}
	fromReport(t, url, path, gcAt(24*time.Hour), rep, 4, "no earlier gc run on node-02 found it missing")
}

// TestGCFromReportShortGrace: --grace 1s on an allocation 4 s old is
// refused (exit 2) without --allow-short-grace, on the CLI and through the
// server's API; with it, the allocation is still no candidate.
func TestGCFromReportShortGrace(t *testing.T) {
	t.Parallel()
	url, path, _ := gcSeeded(t, 1)
	rep := local.GCReport{Node: "node-01", Entries: []local.GCReportEntry{heldEntry(t, path, "c1")}}
	now := gcT0.Add(4 * time.Second).Format(time.RFC3339)
	fromReport(t, url, path, now, rep, 2, "--allow-short-grace", "--grace", "1s")
	fromReport(t, url, path, now, rep, 4, "not a gc candidate", "--grace", "1s", "--allow-short-grace")
	// A live run too.
	if r := runAt(t, url, now, "net1 c9 eth0\n", "gc", "--node", "node-01", "--live", "-", "--grace", "1s"); r.code != 2 ||
		!strings.Contains(r.stderr, "--allow-short-grace") {
		t.Fatalf("live run with --grace 1s: exit %d %s, want 2", r.code, r.stderr)
	}

	s := startServe(t, url)
	before := dump(t, path)
	_, err := s.client.GC(context.Background(), local.GCRequest{Grace: "1s", FromReport: &rep})
	if !errors.Is(err, topo.ErrInvalid) || !strings.Contains(err.Error(), "allow-short-grace") {
		t.Fatalf("POST /v1/gc with grace 1s: %v, want invalid naming --allow-short-grace", err)
	}
	_, err = s.client.GC(context.Background(), local.GCRequest{Grace: "1s", AllowShortGrace: true, FromReport: &rep})
	if !errors.Is(err, topo.ErrConflict) || !strings.Contains(err.Error(), "not a gc candidate") {
		t.Fatalf("POST /v1/gc with grace 1s allowed: %v, want a conflict (no candidate)", err)
	}
	if dump(t, path) != before {
		t.Fatal("refused requests through the server changed the store")
	}
}

// TestGCFromReportWaitingCandidate: a candidate recorded by an earlier
// run but missing for less than the grace period ("wait" in the reviewed
// report) cannot be released by editing its action to "release".
func TestGCFromReportWaitingCandidate(t *testing.T) {
	t.Parallel()
	url, path, addr := gcSeeded(t, 2)
	gcRun(t, url, gcAt(10*time.Minute), "net1 c1 eth0\n") // c2 marked at 10m
	rep := gcRun(t, url, gcAt(20*time.Minute), "net1 c1 eth0\n", "--dry-run")
	if got := actions(rep); got[addr["c2"]] != "wait" {
		t.Fatalf("report at 20m: %v, want c2 waiting", got)
	}
	for i := range rep.Entries {
		rep.Entries[i].Action = alloc.GCRelease
	}
	fromReport(t, url, path, gcAt(20*time.Minute), rep, 4, "missing only since")
	// Once the grace period has passed, the same entry is released.
	fromReport(t, url, path, gcAt(26*time.Minute), rep, 0, "")
}
