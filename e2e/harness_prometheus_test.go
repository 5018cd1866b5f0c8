package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// promServer is a real Prometheus (Debian's package, installed by
// .ci/run) on loopback, with a configuration and storage of its own in a
// temporary directory: whatever Prometheus service the package started on
// its default port is left alone.
type promServer struct {
	addr   string
	cmd    *exec.Cmd
	stderr *syncBuffer
	done   chan struct{}
}

// needPrometheus gives the paths of prometheus and promtool. Without them
// the test fails in CI and is skipped elsewhere, with the reason.
func needPrometheus(t *testing.T) (prometheus, promtool string) {
	t.Helper()
	if testing.Short() {
		t.Skip("a real Prometheus: not under -short")
	}
	var err error
	if prometheus, err = exec.LookPath("prometheus"); err != nil {
		missing(t, "prometheus not installed: apt-get install prometheus")
	}
	if promtool, err = exec.LookPath("promtool"); err != nil {
		missing(t, "promtool not installed: apt-get install prometheus")
	}
	return prometheus, promtool
}

// startPrometheus starts Prometheus scraping target (host:port, job
// "netipam") every second and evaluating ruleFiles every second, and waits
// until it is ready. Cleanup stops it.
func startPrometheus(t *testing.T, bin, target string, ruleFiles ...string) *promServer {
	t.Helper()
	dir := t.TempDir()
	rules, _ := json.Marshal(ruleFiles) // a JSON list is a YAML flow sequence
	config := fmt.Sprintf(`global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files: %s
scrape_configs:
  - job_name: netipam
    static_configs:
      - targets: [%q]
`, rules, target)
	writeFile(t, dir, "prometheus.yml", config)
	p := &promServer{addr: freePort(t), stderr: &syncBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(bin, "--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "data"), "--web.listen-address="+p.addr,
		"--web.console.templates="+dir, "--web.console.libraries="+dir)
	p.cmd.Stderr = p.stderr
	p.cmd.Stdout = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start prometheus: %v", err)
	}
	go func() {
		p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(30 * time.Second):
			p.cmd.Process.Kill()
			<-p.done
			t.Errorf("prometheus still running 30s after SIGTERM")
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + p.addr + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		select {
		case <-p.done:
			t.Fatalf("prometheus exited before ready:\n%s", p.stderr)
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("prometheus not ready after 30s:\n%s", p.stderr)
		}
	}
}

// promSample is one series of an instant vector.
type promSample struct {
	Metric map[string]string `json:"metric"`
	Value  [2]any            `json:"value"`
}

// api GETs one of Prometheus's HTTP API paths and decodes its data.
func (p *promServer) api(path string, q url.Values, data any) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+p.addr+path+"?"+q.Encode(), nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	var out struct {
		Status string          `json:"status"`
		Error  string          `json:"error"`
		Data   json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return fmt.Errorf("GET %s: status %d: %s", path, resp.StatusCode, body)
	}
	if out.Status != "success" {
		return fmt.Errorf("GET %s %v: %s", path, q, out.Error)
	}
	return json.Unmarshal(out.Data, data)
}

// query evaluates expr now and gives its instant vector.
func (p *promServer) query(expr string) ([]promSample, error) {
	var data struct {
		ResultType string       `json:"resultType"`
		Result     []promSample `json:"result"`
	}
	if err := p.api("/api/v1/query", url.Values{"query": {expr}}, &data); err != nil {
		return nil, err
	}
	if data.ResultType != "vector" {
		return nil, fmt.Errorf("query %s: a %s, want a vector", expr, data.ResultType)
	}
	return data.Result, nil
}

// labelValues gives the values of label on the series match selects, as
// Grafana's label_values(match, label) does.
func (p *promServer) labelValues(label, match string) ([]string, error) {
	var vals []string
	err := p.api("/api/v1/label/"+label+"/values", url.Values{"match[]": {match}}, &vals)
	return vals, err
}

// promRule is one rule as /api/v1/rules shows it.
type promRule struct {
	Name      string `json:"name"`
	Type      string `json:"type"`
	Health    string `json:"health"`
	LastError string `json:"lastError"`
}

// rules gives every loaded rule, by group.
func (p *promServer) rules() (map[string][]promRule, error) {
	var data struct {
		Groups []struct {
			Name  string     `json:"name"`
			Rules []promRule `json:"rules"`
		} `json:"groups"`
	}
	if err := p.api("/api/v1/rules", url.Values{}, &data); err != nil {
		return nil, err
	}
	out := map[string][]promRule{}
	for _, g := range data.Groups {
		out[g.Name] = g.Rules
	}
	return out, nil
}

// runPromtool runs promtool with args in dir, bounded in time, and fails the
// test unless it succeeds.
func runPromtool(t *testing.T, bin, dir string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("promtool %v: %v\n%s", args, err, out)
	}
	return string(out)
}
