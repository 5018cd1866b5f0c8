package e2e

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
)

// TestCNIAggregateRoutes: with "aggregate_routes": "tor" the real binary
// as a CNI plugin adds the node's TOR's aggregate prefixes of each family
// it got an address of as routes via that address's gateway, beside the
// configured routes, directly and through the server; another value is
// an invalid config (code 7).
func TestCNIAggregateRoutes(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "netipam.db")
	url := "sqlite://" + path
	mustRun(t, url, "topo", "import", repoPath("testdata/routes.yaml"))
	mustRun(t, url, "node", "register", "--id", "n1", "--tor", "t1")
	want := []string{"0.0.0.0/0 via 10.0.0.1", "10.0.0.0/25 via 10.0.0.1", "fd00::/63 via fd00::1"}
	routesOf := func(out string) []string {
		t.Helper()
		var res struct {
			Routes []struct{ Dst, GW string }
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("result %q: %v", out, err)
		}
		var got []string
		for _, r := range res.Routes {
			got = append(got, r.Dst+" via "+r.GW)
		}
		return got
	}
	ipam := `"node": "n1", "aggregate_routes": "tor", "routes": [{"dst": "0.0.0.0/0"}, {"dst": "10.0.0.0/25"}]`
	out := cniOK(t, cniCall{command: "ADD", container: "c1", conf: netConf("1.1.0", url, ipam)})
	if got := routesOf(out); !slices.Equal(got, want) {
		t.Errorf("routes = %v, want %v", got, want)
	}
	out = cniOK(t, cniCall{command: "ADD", container: "c2", conf: netConf("1.1.0", url, `"node": "n1"`)})
	if got := routesOf(out); len(got) != 0 {
		t.Errorf("without aggregate_routes: routes %v", got)
	}

	s := startServe(t, url)
	conf := netConf("1.1.0", url, fmt.Sprintf(`%s, "server": "unix://%s"`, ipam, s.sock))
	if got := routesOf(cniOK(t, cniCall{command: "ADD", container: "c3", conf: conf})); !slices.Equal(got, want) {
		t.Errorf("through the server: routes = %v, want %v", got, want)
	}

	before := dump(t, path)
	e := cniFail(t, cniCall{command: "ADD", container: "c4", conf: netConf("1.1.0", url, `"node": "n1", "aggregate_routes": "spine"`)})
	if e.Code != 7 {
		t.Errorf("aggregate_routes spine: code %d, want 7 (%s: %s)", e.Code, e.Msg, e.Details)
	}
	if dump(t, path) != before {
		t.Error("a refused config changed the store")
	}
}
