package server_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/netipam/netipam/ipam/local"
	"github.com/netipam/netipam/server"
	"github.com/netipam/netipam/store/storetest"
	"github.com/netipam/netipam/topo"
)

// TestAdoptAPI sends POST /v1/adopt to the API over a real store: a good
// request takes the lease over, a second changes nothing, and each bad
// body is an invalid request (400) that records nothing.
func TestAdoptAPI(t *testing.T) {
	st, _ := storetest.DemoRecorded(t)
	h := (&server.API{Svc: local.Service{Store: st}, Log: slog.New(slog.DiscardHandler)}).Handler("")
	post := func(body string) (int, map[string]json.RawMessage) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/v1/adopt", strings.NewReader(body)))
		var out map[string]json.RawMessage
		json.Unmarshal(rec.Body.Bytes(), &out)
		return rec.Code, out
	}
	good := `{"node": "node-01", "network": "hlnet", "source": "test",
		"leases": [{"address": "10.244.1.7", "container": "c1", "ifname": "eth0"},
		           {"address": "192.168.1.1", "container": "c1", "ifname": "eth0"}]}`
	code, out := post(good)
	if code != 200 || !strings.Contains(string(out["new"]), "10.244.1.7") || !strings.Contains(string(out["skipped"]), "outside") {
		t.Fatalf("adopt: %d %s", code, out)
	}
	code, out = post(good)
	if code != 200 || string(out["new"]) != "[]" || !strings.Contains(string(out["already"]), "10.244.1.7") {
		t.Fatalf("second adopt: %d %s", code, out)
	}
	held := func() int {
		as, err := st.Allocations(t.Context(), topo.AllocationFilter{})
		if err != nil {
			t.Fatal(err)
		}
		return len(as)
	}
	n := held()
	for _, bad := range []string{
		`{"node": "node-01", "network": "hlnet", "leases": [{"address": "10.244.1.8", "container": "c\u001b2", "ifname": "eth0"}]}`,
		`{"node": "node-01", "network": "", "leases": [{"address": "10.244.1.8", "container": "c2", "ifname": "eth0"}]}`,
		`{"node": "node-01", "network": "hlnet", "leases": [{"container": "c2", "ifname": "eth0"}]}`,
		`{"node": "../x", "network": "hlnet", "leases": []}`,
		`{"node": "node-01", "network": "hlnet", "extra": 1}`,
		`{"node": "node-01"`,
	} {
		code, out := post(bad)
		if code != http.StatusBadRequest || string(out["kind"]) != `"invalid"` {
			t.Errorf("%s: %d %s", bad, code, out)
		}
	}
	if code, out := post(`{"node": "node-99", "network": "hlnet", "leases": []}`); code != http.StatusNotFound {
		t.Errorf("unknown node: %d %s", code, out)
	}
	if held() != n {
		t.Errorf("a refused request recorded something: %d allocations, want %d", held(), n)
	}
}
