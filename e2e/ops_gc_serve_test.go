package e2e

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/netipam/netipam/ipam/local"
	"github.com/netipam/netipam/topo"
)

// TestGCThroughServer: `netipam --server ... gc` runs on the server's store
// (its clock: a grace of 0, allowed by --allow-short-grace, releases on the
// second run) and the server hands
// the released address out again; a bad request is refused as on the CLI.
func TestGCThroughServer(t *testing.T) {
	t.Parallel()
	url, _, addr := gcSeeded(t, 2)
	s := startServe(t, url)
	srv := "unix://" + s.sock
	live := "net1 c1 eth0\n"
	gc := func(extra ...string) result {
		return runAt(t, url, gcAt(0), live, append([]string{"--server", srv, "gc", "--node", "node-01", "--live", "-",
			"--grace", "0s", "--allow-short-grace"}, extra...)...)
	}
	if r := gc(); r.code != 0 || !strings.Contains(r.stdout, "1 marked") {
		t.Fatalf("first run through the server: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := gc(); r.code != 0 || !strings.Contains(r.stdout, "1 released") {
		t.Fatalf("second run through the server: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	evs := mustRun(t, url, "sql", "SELECT address FROM events WHERE kind = 'gc'")
	if !strings.Contains(evs, addr["c2"]) {
		t.Fatalf("no gc event for %s:\n%s", addr["c2"], evs)
	}
	if r := gc("--node", "node-99"); r.code != 3 {
		t.Fatalf("unknown node through the server: exit %d %s", r.code, r.stderr)
	}
	_, err := s.client.GC(context.Background(), local.GCRequest{Node: "node-01",
		Live: []local.GCAttachment{{Network: "net1", Container: "-bad", IfName: "eth0"}}})
	if err == nil || !strings.Contains(err.Error(), "container ID") || !errors.Is(err, topo.ErrInvalid) {
		t.Fatalf("bad live attachment: %v, want invalid", err)
	}
	// Every report answers the same through the server as from the store.
	mustRunAt(t, url, gcAt(0), "", "gc", "--node", "node-01", "--live", "-", "--allow-empty") // c1 a candidate
	for _, args := range [][]string{{"report", "nodes"}, {"report", "leaks"}, {"report", "leaks", "--node", "node-01"},
		{"report", "forecast", "--window", "400d", "--threshold", "0.5"}} {
		local := mustRun(t, url, append(args, "-o", "json")...)
		remote := mustRun(t, url, append([]string{"--server", srv}, append(args, "-o", "json")...)...)
		if args[1] == "forecast" { // computed at each one's time
			local, remote = stripAt(local), stripAt(remote)
		}
		if remote != local || !strings.Contains(local, "node-01") && args[1] != "forecast" {
			t.Errorf("%v through the server:\n%s\nfrom the store:\n%s", args, remote, local)
		}
	}
	if r := runAt(t, url, gcAt(0), "", "--server", srv, "report", "forecast", "--window", "-1d"); r.code != 2 {
		t.Errorf("bad window through the server: exit %d %s", r.code, r.stderr)
	}
}

// stripAt drops a report's "at" line (and the seconds that count from it).
func stripAt(s string) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		if !strings.Contains(l, `"at":`) && !strings.Contains(l, "_seconds") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}
