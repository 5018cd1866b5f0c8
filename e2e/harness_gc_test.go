package e2e

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/netipam/netipam/ipam/local"
	"github.com/netipam/netipam/store"
)

// gcT0 is the time the gc tests start at; each process's clock is set
// with NETIPAM_NOW (store.EnvNow), never by sleeping.
var gcT0 = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)

// gcAt gives NETIPAM_NOW for gcT0 + d.
func gcAt(d time.Duration) string { return gcT0.Add(d).Format(time.RFC3339) }

// runAt runs netipam with its clock at now and stdin, bounded in time.
func runAt(t testing.TB, storeURL, now, stdin string, args ...string) result {
	t.Helper()
	return runWith(t, storeURL, []string{store.EnvNow + "=" + now}, stdin, args...)
}

// mustRunAt is runAt that fails the test unless netipam exits 0.
func mustRunAt(t testing.TB, storeURL, now, stdin string, args ...string) string {
	t.Helper()
	r := runAt(t, storeURL, now, stdin, args...)
	if r.code != 0 {
		t.Fatalf("netipam %s at %s: exit %d\n%s%s", strings.Join(args, " "), now, r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// gcRun runs `netipam gc -o json` on node-01 at now with a live list on
// stdin (plus extra flags) and gives its report.
func gcRun(t testing.TB, url, now, live string, extra ...string) local.GCReport {
	t.Helper()
	out := mustRunAt(t, url, now, live, append([]string{"gc", "--node", "node-01", "--live", "-", "-o", "json"}, extra...)...)
	var rep local.GCReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("gc report: %v\n%s", err, out)
	}
	return rep
}

// actions maps each address of a report to its action.
func actions(rep local.GCReport) map[string]string {
	m := map[string]string{}
	for _, e := range rep.Entries {
		m[e.Allocation.Address.String()] = string(e.Action)
	}
	return m
}

// gcSeeded is seeded with containers c1..cN of network net1 on node-01,
// allocated at gcT0 (IPv4 only), and their addresses by container.
func gcSeeded(t testing.TB, n int) (url, path string, addr map[string]string) {
	t.Helper()
	url, path = seeded(t)
	addr = map[string]string{}
	for i := 1; i <= n; i++ {
		c := "c" + string(rune('0'+i))
		out := mustRunAt(t, url, gcAt(0), "", "alloc", "--node", "node-01", "--network", "net1", "--container", c,
			"--family", "4", "-o", "json")
		var as []struct {
			Address string `json:"address"`
		}
		if err := json.Unmarshal([]byte(out), &as); err != nil || len(as) != 1 {
			t.Fatalf("alloc %s: %v %s", c, err, out)
		}
		addr[c] = as[0].Address
	}
	return url, path, addr
}
