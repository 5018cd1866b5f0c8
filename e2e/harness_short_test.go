package e2e

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
)

// smokeTests are what `go test -short` runs of this package: one quick
// test per role, so that the short run checks the binary starts, talks to
// a store and answers each of its callers, while `make test` runs all of
// the package (concurrency, kill -9, clusters, podman, scale).
var smokeTests = []string{
	"TestSmokeListNamesTests",         // this list itself
	"TestTopoImportIsADiff",           // cli: topology import
	"TestBadInputLeavesDataUnchanged", // cli: bad inputs leave the store unchanged
	"TestCNIAddIdempotentDelTwice",    // cni: ADD and DEL on the store
	"TestCNIErrors",                   // cni: error codes
	"TestCNIThroughServer",            // cni: through netipam serve
	"TestCLIThroughServer",            // cli: --server
	"TestServeAPI",                    // serve: the JSON API
	"TestServeMetrics",                // serve: Prometheus metrics
	"TestGCTwoPhase",                  // ops: gc
	"TestCheckThroughServer",          // ops: check
}

// shortRun narrows a -short run without its own -run to smokeTests, and
// says so; an explicit -run is left alone.
func shortRun() {
	if !testing.Short() || flag.Lookup("test.run").Value.String() != "" {
		return
	}
	pattern := "^(" + strings.Join(smokeTests, "|") + ")$"
	if err := flag.Set("test.run", pattern); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Fprintf(os.Stderr, "e2e: -short runs %d smoke tests; make test (without -short) runs every test\n", len(smokeTests))
}

// TestSmokeListNamesTests fails when a smoke test is renamed or removed,
// which would otherwise drop it from the short run unnoticed.
func TestSmokeListNamesTests(t *testing.T) {
	t.Parallel()
	files, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var src strings.Builder
	for _, f := range files {
		if strings.HasSuffix(f.Name(), "_test.go") {
			b, err := os.ReadFile(f.Name())
			if err != nil {
				t.Fatal(err)
			}
			src.Write(b)
		}
	}
	for _, name := range smokeTests {
		if !regexp.MustCompile(`(?m)^func ` + name + `\(t \*testing\.T\)`).MatchString(src.String()) {
			t.Errorf("smokeTests names %s, which no file of the package declares", name)
		}
	}
}
