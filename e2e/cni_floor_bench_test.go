package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// BenchmarkCNIFloors measures, in one interleaved run, the floors the CNI
// ADD targets meet (docs/performance.md, "Floors, measured"):
//
//   - start: netipam's ADD with a store path that does not exist, which
//     fails right after the binary's full start and the config's parse;
//   - direct: netipam's ADD on a store (dual-stack);
//   - minimal-client: the least a caller of `netipam serve` does, a small
//     static Go program that reads stdin, POSTs /v1/allocate on the unix
//     socket and prints the answer;
//   - via-server: netipam's ADD through the same server;
//   - host-local: the reference, dual-stack.
//
// Each reports its p50 in ms and its ratio to host-local's.
//
//	go test -run '^$' -bench CNIFloors -benchtime 100x ./e2e/
func BenchmarkCNIFloors(b *testing.B) {
	hostLocal := filepath.Join(cniPluginDir(b, "host-local"), "host-local")
	minimal := buildMinimalClient(b)
	url, _ := seeded(b)
	serveURL, _ := seeded(b)
	s := startServe(b, serveURL)
	cases := []struct {
		name, bin, conf string
		env             []string
		fails           bool
	}{
		{"start", binary, netConf("1.0.0", "sqlite:///nonexistent/netipam.db", `"node": "node-01"`), nil, true},
		{"direct", binary, netConf("1.0.0", url, `"node": "node-01"`), nil, false},
		{"minimal-client", minimal, `{}`, []string{"SOCK=" + s.sock}, false},
		{"via-server", binary, fmt.Sprintf(`{"cniVersion": "1.0.0", "name": "netipam-bench", "type": "bridge",
			"ipam": {"type": "netipam", "server": "unix://%s", "node": "node-01"}}`, s.sock), nil, false},
		{"host-local", hostLocal, fmt.Sprintf(`{"cniVersion": "1.0.0", "name": "netipam-bench", "type": "bridge",
			"ipam": {"type": "host-local", "dataDir": %q, "ranges": [[{"subnet": "10.244.0.0/22"}], [{"subnet": "fd00:10:244:1::/64"}]]}}`,
			filepath.Join(b.TempDir(), "host-local")), nil, false},
	}
	times := make([][]time.Duration, len(cases))
	b.ResetTimer()
	for i := range b.N {
		for k, c := range cases {
			start := time.Now()
			r := runPlugin(b, c.bin, cniCall{command: "ADD", container: fmt.Sprintf("floor-%d-%06d", k, i), conf: c.conf, env: c.env})
			times[k] = append(times[k], time.Since(start))
			if (r.code != 0) != c.fails {
				b.Fatalf("%s: exit %d: %s%s", c.name, r.code, r.stdout, r.stderr)
			}
		}
	}
	b.StopTimer()
	p50 := func(ts []time.Duration) float64 {
		slices.Sort(ts)
		return float64(percentile(ts, 50)) / float64(time.Millisecond)
	}
	ref := p50(times[len(cases)-1])
	for k, c := range cases {
		v := p50(times[k])
		b.ReportMetric(v, c.name+"-p50-ms")
		if c.name != "host-local" {
			b.ReportMetric(v/ref, c.name+"-vs-host-local")
		}
	}
}

// buildMinimalClient builds the least a plugin through the server must do:
// read its config, POST one allocation for the container on the unix
// socket $SOCK, print the answer.
func buildMinimalClient(b *testing.B) string {
	b.Helper()
	dir := b.TempDir()
	src := `package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
)

func main() {
	if _, err := io.ReadAll(os.Stdin); err != nil {
		os.Exit(1)
	}
	sock := os.Getenv("SOCK")
	cl := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", sock)
	}}}
	body := ` + "`" + `{"node":"node-01","network":"floor","container":"` + "`" + ` + os.Getenv("CNI_CONTAINERID") + ` + "`" + `","ifname":"eth0"}` + "`" + `
	resp, err := cl.Post("http://unix/v1/allocate", "application/json", bytes.NewBufferString(body))
	if err != nil {
		os.Exit(1)
	}
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		os.Stderr.Write(out)
		os.Exit(1)
	}
	os.Stdout.Write(out)
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module minimal\n\ngo 1.26\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	bin := filepath.Join(dir, "minimal")
	build := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOWORK=off", "GOFLAGS=")
	build.Dir = dir
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("build the minimal client: %v\n%s", err, out)
	}
	return bin
}
