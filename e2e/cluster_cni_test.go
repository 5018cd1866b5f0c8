package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	types100 "github.com/containernetworking/cni/pkg/types/100"
)

// TestClusterCNIPlugin: the CNI plugin works unchanged on rqlite. ADD from
// nodes pointed at different members, the same container again gets the
// same address, DEL (twice) frees it, and the table agrees throughout.
func TestClusterCNIPlugin(t *testing.T) {
	c := startRqlite(t)
	seedCluster(t, c)
	add := func(member int, container string) string {
		conf := netConf("1.0.0", memberFirst(c, member), fmt.Sprintf(`"node": "n%d"`, member))
		out := cniOK(t, cniCall{command: "ADD", container: container, conf: conf})
		var r types100.Result
		if err := json.Unmarshal([]byte(out), &r); err != nil || len(r.IPs) != 1 {
			t.Fatalf("ADD %s via member %d: %q %v", container, member, out, err)
		}
		return r.IPs[0].Address.IP.String()
	}
	a0, a1 := add(0, "ctr-a"), add(1, "ctr-b")
	if a0 == a1 || !strings.HasPrefix(a0, "10.100.") || !strings.HasPrefix(a1, "10.100.") {
		t.Fatalf("addresses %s and %s: want two distinct addresses of tor-big", a0, a1)
	}
	if again := add(0, "ctr-a"); again != a0 {
		t.Fatalf("ADD repeated got %s, first %s", again, a0)
	}
	table, _ := clusterTable(t, memberFirst(c, 2))
	if len(table) != 2 || table[a0].container != "ctr-a" || table[a1].container != "ctr-b" {
		t.Fatalf("allocations table: %v", table)
	}
	cniOK(t, cniCall{command: "DEL", container: "ctr-a", conf: netConf("1.0.0", memberFirst(c, 2), `"node": "n0"`)})
	cniOK(t, cniCall{command: "DEL", container: "ctr-a", conf: netConf("1.0.0", memberFirst(c, 2), `"node": "n0"`)})
	if table, _ := clusterTable(t, memberFirst(c, 1)); len(table) != 1 || table[a1].container != "ctr-b" {
		t.Fatalf("after DEL: %v", table)
	}
}
