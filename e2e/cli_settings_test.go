package e2e

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// setSetting writes the stored expansion settings by raw SQL, as a hand
// edit or an older netipam would.
func setSetting(t *testing.T, path, value string) {
	t.Helper()
	corrupt(t, path, `INSERT INTO settings (key, value, updated_at) VALUES ('expansion', '`+value+`', '2026-01-01T00:00:00Z')
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`)
}

// checkKinds runs check -o json and gives its problems as kind -> objects.
func checkKinds(t *testing.T, url string) (int, map[string][]string) {
	t.Helper()
	r := run(t, url, "check", "-o", "json")
	var rep checkReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("check -o json: exit %d: %v\n%s%s", r.code, err, r.stdout, r.stderr)
	}
	out := map[string][]string{}
	for _, p := range rep.Problems {
		for _, o := range p.Objects {
			out[p.Kind] = append(out[p.Kind], o.Type+"="+o.ID)
		}
	}
	return r.code, out
}

// TestExpansionPrefixLengthImport: topo import refuses a block length no
// subnet may have (IPv4 /31, IPv6 /127 and /63), globally and per
// purpose, and changes nothing.
func TestExpansionPrefixLengthImport(t *testing.T) {
	t.Parallel()
	url, path := seeded(t)
	base, err := os.ReadFile(repoPath("testdata/topology.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	before := dump(t, path)
	for name, block := range map[string]string{
		"ipv4 /31":         "    prefix_length: {ipv4: 31}\n",
		"ipv6 /127":        "    prefix_length: {ipv6: 127}\n",
		"ipv6 /63":         "    prefix_length: {ipv6: 63}\n",
		"storage ipv4 /31": "    purposes:\n      storage: {prefix_length: {ipv4: 31}}\n",
	} {
		t.Run(name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "t.yaml")
			in := strings.Replace(string(base), "topology:\n", "topology:\n  expansion:\n"+block, 1)
			if err := os.WriteFile(file, []byte(in), 0o644); err != nil {
				t.Fatal(err)
			}
			r := run(t, url, "topo", "import", file)
			if r.code != 2 || !strings.Contains(r.stderr, "prefix_length.ipv") || !strings.Contains(r.stderr, "an IPv") {
				t.Errorf("import: exit %d, want 2 naming the field and the subnet rule\n%s", r.code, r.stderr)
			}
		})
	}
	if after := dump(t, path); after != before {
		t.Errorf("a refused import changed the store")
	}
}

// TestBadStoredSettings: settings written by raw SQL out of bounds (the
// issue's IPv4 /31, a threshold of 5) or not readable at all are ignored:
// allocation and growth use the defaults, check reports each as
// bad-setting (exit 8) and serve starts, warning loudly.
func TestBadStoredSettings(t *testing.T) {
	t.Parallel()
	url, path := seeded(t)
	setSetting(t, path, `{"PrefixLength4":31,"Threshold":5,"Purposes":{"management":{"PrefixLength6":127}}}`)

	code, kinds := checkKinds(t, url)
	want := []string{"setting=expansion.threshold", "setting=expansion.prefix_length.ipv4",
		"setting=expansion.purposes.management.prefix_length.ipv6"}
	if code != 8 || len(kinds) != 1 || strings.Join(kinds["bad-setting"], " ") != strings.Join(want, " ") {
		t.Errorf("check: exit %d, problems %v, want 8 and bad-setting %v", code, kinds, want)
	}
	if r := run(t, url, "check"); r.code != 8 || !strings.Contains(r.stdout, "bad-setting") || !strings.Contains(r.stdout, "prefix length 31") {
		t.Errorf("check (text): exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// The example: tor-3's management /26 taken past the threshold
	// grows by a block of a length a subnet may have, not a /31.
	mustRun(t, url, "alloc", "--node", "node-05", "--purpose", "management", "--family", "4", "--count", "50")
	got := strings.Fields(mustRun(t, url, "sql", "-o", "csv", "SELECT cidr FROM subnets WHERE source = 'expand'"))
	if len(got) != 2 {
		t.Fatalf("expanded blocks: %q, want one", got)
	}
	if p := netip.MustParsePrefix(got[1]); p.Bits() > 30 {
		t.Errorf("expanded block %s: longer than /30", p)
	}
	if _, kinds := checkKinds(t, url); len(kinds) != 1 || len(kinds["bad-setting"]) != 3 {
		t.Errorf("check after growth: %v, want only the bad settings", kinds)
	}

	s := startServe(t, url)
	if log := s.stderr.String(); !strings.Contains(log, "IGNORING A STORED SETTING") || !strings.Contains(log, "expansion.prefix_length.ipv4") {
		t.Errorf("serve logged no warning for the bad setting:\n%s", log)
	}
	if r := run(t, url, "alloc", "--server", "unix://"+s.sock, "--node", "node-01", "--container", "via-serve"); r.code != 0 {
		t.Errorf("alloc through serve: exit %d\n%s", r.code, r.stderr)
	}
	if code, kinds := checkKinds(t, url); code != 8 || len(kinds["bad-setting"]) != 3 {
		t.Errorf("check through the store while serving: exit %d %v", code, kinds)
	}
	s.stop(t)

	// Another member of the class: a value that is not JSON at all, and
	// one with a field netipam does not know.
	for i, c := range []struct{ value, want string }{
		{`not json`, "setting=expansion"},
		{`{"Treshold":0.5,"Horizon":-1}`, "setting=expansion setting=expansion.horizon"},
	} {
		value := c.value
		setSetting(t, path, value)
		code, kinds := checkKinds(t, url)
		if code != 8 || len(kinds) != 1 || strings.Join(kinds["bad-setting"], " ") != c.want {
			t.Errorf("%s: check exit %d, %v, want 8 and bad-setting %s", value, code, kinds, c.want)
		}
		if r := run(t, url, "alloc", "--node", "node-02", "--container", fmt.Sprintf("c-%d", i)); r.code != 0 {
			t.Errorf("%s: alloc: exit %d\n%s", value, r.code, r.stderr)
		}
	}
}
