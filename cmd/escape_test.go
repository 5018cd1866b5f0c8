package cmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netipam/netipam/store"
)

func TestSafe(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"tor-1", "tor-1"},
		{"Zone A 北京", "Zone A 北京"},
		{"a\x1b[31mred", `a\x1b[31mred`},
		{"two\nlines", `two\nlines`},
		{"tab\there\r", `tab\there\r`},
		{"del\x7f", `del\x7f`},
		{"c1 csi \u009b2J", `c1 csi \u009b2J`},
		{"bidi \u202eevil", `bidi \u202eevil`},
		{"bad \xff utf8", `bad \xff utf8`},
	} {
		if got := safe(tt.in); got != tt.want {
			t.Errorf("safe(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSafeJSONSameData(t *testing.T) {
	in := map[string]string{"v": "esc \x1b del \x7f csi \u009b bidi \u202e ok é"}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	out := safeJSON(b)
	if rawControl(string(out)) {
		t.Fatalf("safeJSON left a control character: %q", out)
	}
	var back map[string]string
	if err := json.Unmarshal(out, &back); err != nil || back["v"] != in["v"] {
		t.Fatalf("safeJSON changed the data: %q -> %q (%v)", in["v"], back["v"], err)
	}
}

// rawControl reports a character a terminal would act on, other than the
// newlines that end lines and the tabs that separate TSV cells.
func rawControl(s string) bool {
	return strings.ContainsFunc(strings.NewReplacer("\n", "", "\t", "").Replace(s), unsafeRune)
}

// hostile is a value a user or a stored row may carry: it would recolour
// the terminal, break the line and forge a second one.
const hostile = "ev\x1b[31mil\nnetipam: forged line\x07\u009b2J"

// TestNoRawControlCharacters sends a value holding ESC, newline, BEL and an
// 8-bit CSI through each output path: table cells in every form, tree
// labels, say lines and error lines. Nothing reaches the streams raw, each
// error is one line, and JSON still carries the exact value.
func TestNoRawControlCharacters(t *testing.T) {
	st := goldenStore(t)
	db := st.Backend()
	// Stored rows as an older version, another tool or an attacker with
	// write access may have left them (validation refuses them on input).
	labels, err := json.Marshal(map[string]string{"k": hostile})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []store.Stmt{
		store.Q(`UPDATE zones SET name = ? WHERE id = 'zone-a'`, hostile),
		store.Q(`UPDATE tors SET name = ? WHERE id = 'tor-1'`, hostile),
		store.Q(`UPDATE nodes SET name = ?, labels = ? WHERE id = 'node-01'`, hostile, string(labels)),
	} {
		if _, err := db.Exec(t.Context(), q); err != nil {
			t.Fatalf("%s: %v", q.SQL, err)
		}
	}
	sqlHostile := `SELECT 'ev' || char(27) || '[31mil' || char(10) || 'x' || char(7) || char(155) AS "col` + "\x1b" + `"`
	paths := [][]string{
		{"node", "list"},
		{"topo", "show"},
		{"sql", sqlHostile},
	}
	for _, args := range paths {
		for _, f := range forms {
			r := runOn(t, st, f.tty, append(args, f.args...)...)
			if r.code != 0 {
				t.Fatalf("%v %s: exit %d: %s", args[:1], f.name, r.code, r.err)
			}
			if rawControl(r.stdout) {
				t.Errorf("%v %s printed a raw control character:\n%q", args[:1], f.name, r.stdout)
			}
			if f.name != "json" && !strings.Contains(r.stdout, `ev\x1b[31mil\n`) {
				t.Errorf("%v %s: want the value escaped as ev\\x1b[31mil\\n...:\n%s", args[:1], f.name, r.stdout)
			}
			if f.name == "tsv" && args[0] != "topo" {
				lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
				for _, l := range lines[1:] {
					if strings.Count(l, "\t") != strings.Count(lines[0], "\t") {
						t.Errorf("%v %s: a value broke a row: %q", args[:1], f.name, l)
					}
				}
			}
		}
	}
	// JSON keeps the exact value.
	r := runOn(t, st, false, "node", "list", "-o", "json")
	var nodes []nodeJSON
	if err := json.Unmarshal([]byte(r.stdout), &nodes); err != nil || nodes[0].Name != hostile {
		t.Fatalf("node list -o json: name %q, want %q (%v)", nodes[0].Name, hostile, err)
	}

	// Error lines: user input inside an error message.
	for _, args := range [][]string{
		{"alloc", "--node", hostile},
		{"history", "--ip", hostile},
		{"usage", "--level", hostile},
		{"topo", "import", hostile},
		{"sql", "SELECT * FROM " + hostile},
		{hostile},
	} {
		r := runOn(t, st, false, args...)
		if r.code == 0 {
			t.Fatalf("%q: exit 0, want an error", args)
		}
		if rawControl(r.err) || strings.Count(r.err, "\n") != 1 || !strings.Contains(r.err, `\x1b`) {
			t.Errorf("%q: want one escaped error line, got %q", args, r.err)
		}
	}

	// say lines: a file name is echoed back.
	path := filepath.Join(t.TempDir(), "top\x1b[2Jo\nlogy.yaml")
	data, err := os.ReadFile("testdata/topology.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	r = runOn(t, st, true, "topo", "import", path)
	if r.code != 0 || rawControl(r.stdout) || !strings.Contains(r.stdout, `top\x1b[2Jo\nlogy.yaml`) {
		t.Errorf("topo import %q: exit %d, want one escaped say line, got %q %q", path, r.code, r.stdout, r.err)
	}
}
