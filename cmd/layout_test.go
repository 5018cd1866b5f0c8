package cmd

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// layoutDoc draws the packages, what each owns and the imports each may
// make.
const layoutDoc = "../docs/layout.md"

const module = "github.com/netipam/netipam"

// layoutRowRe is a package row of the layout table: | `pkg` ... | ... |
var layoutRowRe = regexp.MustCompile("^\\| `([^`]+)`")

// parseLayout reads the layout table: each package (relative to the
// module, "." for main) and the netipam packages it may import.
func parseLayout(t *testing.T, text string) map[string][]string {
	t.Helper()
	allowed := map[string][]string{}
	for i, line := range strings.Split(text, "\n") {
		m := layoutRowRe.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		row := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(line), "|"), "|")
		cells := strings.Split(row, "|")
		if len(cells) != 4 {
			t.Fatalf("%s:%d: a package row has 4 cells (package, owns, must not, may import), not %d", layoutDoc, i+1, len(cells))
		}
		if _, dup := allowed[m[1]]; dup {
			t.Errorf("%s:%d: package %s listed twice", layoutDoc, i+1, m[1])
		}
		imps := []string{}
		for _, ticked := range docTickedRe.FindAllStringSubmatch(cells[3], -1) {
			imps = append(imps, ticked[1])
		}
		allowed[m[1]] = imps
	}
	if len(allowed) == 0 {
		t.Fatalf("%s: no package rows (| `pkg` | owns | must not | may import |)", layoutDoc)
	}
	return allowed
}

// goPackage is what `go list -json` says of a package.
type goPackage struct {
	ImportPath string
	Imports    []string
}

// listPackages runs `go list -json ./...` from the module root: every
// package, its path relative to the module, and its netipam imports
// (production code only: tests may import helpers and the binary's
// packages).
func listPackages(t *testing.T) map[string][]string {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", "./...")
	cmd.Dir = ".."
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -json ./... in the module root: %v", err)
	}
	rel := func(p string) (string, bool) {
		if p == module {
			return ".", true
		}
		r, ok := strings.CutPrefix(p, module+"/")
		return r, ok
	}
	pkgs := map[string][]string{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p goPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("read go list's answer: %v", err)
		}
		name, _ := rel(p.ImportPath)
		imps := []string{}
		for _, imp := range p.Imports {
			if r, ok := rel(imp); ok {
				imps = append(imps, r)
			}
		}
		pkgs[name] = imps
	}
	return pkgs
}

// TestLayout: docs/layout.md lists every package of the module and no
// other, and no package imports a netipam package its row does not allow.
func TestLayout(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Fatalf("the go command is needed to list the packages: %v", err)
	}
	text, err := os.ReadFile(layoutDoc)
	if err != nil {
		t.Fatal(err)
	}
	allowed := parseLayout(t, string(text))
	pkgs := listPackages(t)
	for name := range allowed {
		if _, ok := pkgs[name]; !ok {
			t.Errorf("%s lists package %s, which does not exist: remove its row", layoutDoc, name)
		}
	}
	for name, imps := range pkgs {
		may, ok := allowed[name]
		if !ok {
			t.Errorf("package %s is missing from %s: add a row saying what it owns and may import", name, layoutDoc)
			continue
		}
		for _, imp := range imps {
			if !slices.Contains(may, imp) {
				t.Errorf("package %s imports %s, which %s does not allow: move the code, or change the layout on purpose", name, imp, layoutDoc)
			}
		}
	}
}
