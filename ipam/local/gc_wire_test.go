package local_test

import (
	"encoding/json"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/ipam/local"
	"github.com/netipam/netipam/topo"
)

// TestGCReportJSON: a report's entries nest their allocation in its one
// JSON form and read back the same; a report of the earlier flat form,
// or with a key the form does not have, is refused.
func TestGCReportJSON(t *testing.T) {
	at := time.Date(2026, 11, 21, 14, 20, 0, 0, time.UTC)
	a4 := topo.Allocation{Address: netip.MustParseAddr("10.244.0.7"), Subnet: netip.MustParsePrefix("10.244.0.0/22"),
		Purpose: "default", Node: "node-01", TOR: "tor-1", Gateway: netip.MustParseAddr("10.244.0.1"),
		Container: "c2", IfName: "eth0", Network: "net1", PodNS: "web", PodName: "web-1", At: at.Add(-20 * time.Minute)}
	a6 := a4
	a6.Address, a6.Subnet, a6.Gateway = netip.MustParseAddr("fd00::7"), netip.MustParsePrefix("fd00::/64"), netip.Addr{}
	rep := local.GCReport{Run: "gc-1", Node: "node-01", At: at, Grace: "15m0s", DryRun: true, Source: "live",
		Match: "attachment", Live: 1, Counts: map[string]int{"release": 1, "mark": 1}, Entries: []local.GCReportEntry{
			{Action: alloc.GCRelease, Allocation: a4, MissingSince: at.Add(-19 * time.Minute), Age: 1200, MissingFor: 1140},
			{Action: alloc.GCMark, Allocation: a6, MissingSince: at, Age: 1200},
		}}
	data, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"allocation": {`, `"cidr": "10.244.0.7/22"`, `"pod": "web/web-1"`, `"missing_for_seconds": 1140`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("report has no %s:\n%s", want, data)
		}
	}
	back, err := local.ParseGCReport(data)
	if err != nil {
		t.Fatalf("read back: %v\n%s", err, data)
	}
	if !reflect.DeepEqual(back, rep) {
		t.Errorf("round trip\n got %+v\nwant %+v", back, rep)
	}
	flat := `{"run":"gc-1","node":"node-01","entries":[{"action":"release","address":"10.244.0.7","subnet":"10.244.0.0/22",
		"purpose":"default","node":"node-01","tor":"tor-1","network":"net1","container":"c2","ifname":"eth0",
		"allocated_at":"2026-11-21T14:00:00Z","age_seconds":1200}]}`
	for _, c := range []struct{ name, in, want string }{
		{"flat", flat, "produce a new report with netipam gc --dry-run -o json"},
		{"unknown key", strings.Replace(string(data), `"run":`, `"colour": 1, "run":`, 1), `unknown key "colour"`},
		{"unknown entry key", strings.Replace(string(data), `"age_seconds":`, `"colour": 1, "age_seconds":`, 1), `unknown key "colour"`},
		{"no allocation", `{"node":"node-01","entries":[{"action":"release","age_seconds":1}]}`, `no "allocation"`},
	} {
		if _, err := local.ParseGCReport([]byte(c.in)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error with %q", c.name, err, c.want)
		}
	}
}
