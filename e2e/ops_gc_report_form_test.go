package e2e

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// oldEntry is a report entry as earlier versions wrote it: the
// allocation's fields beside the action.
type oldEntry struct {
	Action       string    `json:"action"`
	Address      string    `json:"address"`
	Subnet       string    `json:"subnet"`
	Purpose      string    `json:"purpose"`
	Node         string    `json:"node"`
	TOR          string    `json:"tor"`
	Network      string    `json:"network"`
	Container    string    `json:"container"`
	IfName       string    `json:"ifname"`
	AllocatedAt  time.Time `json:"allocated_at"`
	MissingSince time.Time `json:"missing_since,omitzero"`
	Age          int64     `json:"age_seconds"`
}

// TestGCFromReportForm: a report's entry holds its allocation in the one
// JSON form, under "allocation"; --from-report reads a report strictly,
// directly, through --server and in POST /v1/gc, and refuses a report of
// the earlier flat form saying to produce a new one. Nothing refused
// changes the store; the genuine report still applies.
func TestGCFromReportForm(t *testing.T) {
	t.Parallel()
	url, path, addr := gcSeeded(t, 2)
	gcRun(t, url, gcAt(time.Minute), "net1 c1 eth0\n") // c2 marked
	out := mustRunAt(t, url, gcAt(20*time.Minute), "net1 c1 eth0\n", "gc", "--node", "node-01", "--live", "-",
		"--dry-run", "-o", "json")
	var rep struct {
		Node    string                       `json:"node"`
		Entries []map[string]json.RawMessage `json:"entries"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Entries) != 1 {
		t.Fatalf("report: %v\n%s", err, out)
	}
	e := rep.Entries[0]
	keys := make([]string, 0, len(e))
	for k := range e {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if want := []string{"action", "age_seconds", "allocation", "missing_for_seconds", "missing_since"}; !slices.Equal(keys, want) {
		t.Fatalf("entry keys %v, want %v", keys, want)
	}
	var a map[string]any
	if err := json.Unmarshal(e["allocation"], &a); err != nil || a["address"] != addr["c2"] || a["cidr"] == nil ||
		a["container"] != "c2" || a["allocated_at"] == nil {
		t.Fatalf("entry's allocation: %v %s", err, e["allocation"])
	}

	var at time.Time
	json.Unmarshal(e["missing_since"], &at)
	old := oldEntry{Action: "release", Address: addr["c2"], Subnet: a["subnet"].(string), Purpose: "default",
		Node: "node-01", TOR: a["tor"].(string), Network: "net1", Container: "c2", IfName: "eth0", MissingSince: at}
	old.AllocatedAt, _ = time.Parse(time.RFC3339Nano, a["allocated_at"].(string))
	var whole map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &whole); err != nil {
		t.Fatal(err)
	}
	whole["entries"] = mustMarshal(t, []oldEntry{old})
	flat := string(mustMarshal(t, whole))
	if !strings.Contains(flat, `"address":"`+addr["c2"]) || strings.Contains(flat, `"allocation"`) {
		t.Fatalf("the flat report was not built: %s", flat)
	}
	const redo = "produce a new report with netipam gc --dry-run -o json"
	s := startServe(t, url)
	srv := "unix://" + s.sock
	dir := t.TempDir()
	for _, tc := range []struct{ name, report, want string }{
		{"earlier flat form", flat, redo},
		{"unknown key", strings.Replace(out, `"run":`, `"colour": "red", "run":`, 1), `unknown key "colour"`},
		{"unknown key in the allocation", strings.Replace(out, `"cidr":`, `"colour": 1, "cidr":`, 1), `unknown key "colour"`},
		{"key in another case", strings.Replace(out, `"action":`, `"Action":`, 1), `write it "action"`},
		{"key twice", strings.Replace(out, `"action":`, `"age_seconds": 1, "action":`, 1), `key "age_seconds" is given twice`},
		{"prefix_length disagrees", strings.Replace(out, `"prefix_length": `, `"prefix_length": 1`, 1), "prefix_length 1"},
	} {
		file := writeFile(t, dir, "report.json", tc.report)
		before := dump(t, path)
		for _, via := range [][]string{nil, {"--server", srv}} {
			r := runAt(t, url, gcAt(21*time.Minute), "", append(via, "gc", "--from-report", file)...)
			lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
			if r.code != 2 || !strings.Contains(r.stderr, tc.want) || !strings.Contains(r.stderr, "report.json") || len(lines) != 1 {
				t.Errorf("%s %v: exit %d %q, want 2 and one line naming the file with %q", tc.name, via, r.code, r.stderr, tc.want)
			}
		}
		code, body := socketPost(t, s.sock, "/v1/gc", `{"node":"node-01","from_report":`+tc.report+`}`)
		if code != http.StatusBadRequest || !strings.Contains(body, strings.ReplaceAll(tc.want, `"`, `\"`)) {
			t.Errorf("%s: POST /v1/gc: %d %s, want 400 with %q", tc.name, code, body, tc.want)
		}
		if dump(t, path) != before {
			t.Fatalf("%s: a refused report changed the store", tc.name)
		}
	}
	good := writeFile(t, dir, "good.json", out)
	if r := runAt(t, url, gcAt(21*time.Minute), "", "gc", "--from-report", good); r.code != 0 {
		t.Fatalf("the genuine report: exit %d %s", r.code, r.stderr)
	}
	if left := mustRun(t, url, "sql", "SELECT container FROM allocations WHERE node_id = 'node-01'"); strings.Contains(left, "c2") {
		t.Fatalf("c2 not released:\n%s", left)
	}
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
