package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkCNIAddServer measures CNI ADD through a running `netipam serve`
// (a fresh plugin process per call, asking the server on its unix socket)
// against host-local with the same number of addresses, in the same run:
// dual-stack (one IPv4 and one IPv6 address) and a single IPv4 address,
// sequentially and with 8 concurrent callers.
//
//	go test -run '^$' -bench CNIAddServer -benchtime 200x ./e2e/
func BenchmarkCNIAddServer(b *testing.B) {
	benchAddVersusHostLocal(b, func(b *testing.B, url, node string) string {
		s := startServe(b, url)
		return fmt.Sprintf(`{"cniVersion": "1.0.0", "name": "netipam-bench", "type": "bridge",
			"ipam": {"type": "netipam", "server": "unix://%s", "node": %q}}`, s.sock, node)
	})
}

// BenchmarkPluginStart measures what a process start costs each plugin:
// CNI_COMMAND=VERSION of netipam, of host-local, and of a trivial static Go
// binary built here, in the same run.
//
//	go test -run '^$' -bench PluginStart -benchtime 300x ./e2e/
func BenchmarkPluginStart(b *testing.B) {
	dir := b.TempDir()
	src := filepath.Join(dir, "main.go")
	if err := os.WriteFile(src, []byte("package main\n\nimport \"os\"\n\nfunc main() { os.Stdout.WriteString(\"{}\\n\") }\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	trivial := filepath.Join(dir, "trivial")
	build := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", trivial, src)
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOWORK=off", "GOFLAGS=")
	build.Dir = dir
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("build a trivial binary: %v\n%s", err, out)
	}
	for _, p := range []struct{ name, bin string }{
		{"netipam", binary},
		{"host-local", filepath.Join(cniPluginDir(b, "host-local"), "host-local")},
		{"trivial", trivial},
	} {
		b.Run(p.name, func(b *testing.B) {
			for range b.N {
				cmd := exec.Command(p.bin)
				cmd.Env = append(cniEnviron(), "CNI_COMMAND=VERSION")
				cmd.Stdin = strings.NewReader("{}")
				if out, err := cmd.Output(); err != nil || len(out) == 0 {
					b.Fatalf("%s VERSION: %v %q", p.name, err, out)
				}
			}
		})
	}
}
