package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netipam/netipam/cmd"
	"github.com/netipam/netipam/topo"
)

// bigTopology writes a topology of pods x torsPerPod TORs with four /24
// subnets each (default, storage, management, backup) in one zone.
func bigTopology(pods, torsPerPod int) string {
	var b strings.Builder
	b.WriteString("topology:\n  zones:\n    - id: zone-big\n      cidr: \"10.0.0.0/8\"\n      pods:\n")
	purposes := []string{"default", "storage", "management", "backup"}
	for p := range pods {
		fmt.Fprintf(&b, "        - id: pod-%d\n          cidr: \"10.%d.0.0/14\"\n          tors:\n", p, 4*p)
		for t := range torsPerPod {
			fmt.Fprintf(&b, "            - id: tor-%d-%d\n              name: \"TOR %d/%d\"\n              subnets:\n", p, t, p, t)
			for s, purpose := range purposes {
				fmt.Fprintf(&b, "                - cidr: \"10.%d.%d.0/24\"\n                  purpose: %s\n", 4*p+t/64, (t%64)*4+s, purpose)
			}
		}
	}
	return b.String()
}

// writeFile writes content to a new file in dir.
func writeFile(tb testing.TB, dir, name, content string) string {
	tb.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}

// runIn runs netipam in this process against a store.
func runIn(tb testing.TB, storeURL string, args ...string) {
	tb.Helper()
	var errb bytes.Buffer
	args = append([]string{"--store", storeURL}, args...)
	if code := cmd.Run(context.Background(), args, cmd.IOStreams{In: strings.NewReader(""), Out: io.Discard, Err: &errb}); code != 0 {
		tb.Fatalf("netipam %v: exit %d: %s", args, code, errb.String())
	}
}

// BenchmarkImport10k imports a topology of 10,000 subnets (2,500 TORs x 4):
// into an empty store, again unchanged, and with one line changed. The
// reference, in the same run, is parsing and validating the file alone:
// import is linear in the file when the ratios stay small and flat.
func BenchmarkImport10k(b *testing.B) {
	dir := b.TempDir()
	content := bigTopology(25, 100)
	file := writeFile(b, dir, "big.yaml", content)
	changed := writeFile(b, dir, "changed.yaml", strings.Replace(content, `name: "TOR 7/7"`, `name: "TOR 7/7 renamed"`, 1))
	data := []byte(content)
	b.Run("reference-parse", func(b *testing.B) {
		for range b.N {
			if _, err := topo.ParseTopology(file, data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("initial", func(b *testing.B) {
		fresh := b.TempDir() // each run of this benchmark starts from empty stores
		for i := range b.N {
			runIn(b, fmt.Sprintf("sqlite://%s/initial-%d.db", fresh, i), "topo", "import", file)
		}
	})
	url := "sqlite://" + filepath.Join(dir, "re.db")
	runIn(b, url, "topo", "import", file)
	b.Run("reimport", func(b *testing.B) {
		for range b.N {
			runIn(b, url, "topo", "import", file)
		}
	})
	b.Run("one-line-change", func(b *testing.B) {
		for i := range b.N {
			f := changed
			if i%2 == 1 {
				f = file
			}
			runIn(b, url, "topo", "import", f)
		}
	})
}
