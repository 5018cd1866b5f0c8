package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// The shipped monitoring: deploy/prometheus and deploy/grafana.
const (
	rulesDir  = "deploy/prometheus"
	rulesFile = "deploy/prometheus/netipam-rules.yml"
	dashboard = "deploy/grafana/netipam.json"
)

// TestPrometheusRulesAndDashboard proves the shipped rules and dashboard
// against a real Prometheus scraping a real `netipam serve`: promtool
// checks the rules and runs their unit tests; Prometheus loads them and
// evaluates every rule without error; once t1 is past its threshold in a
// full pod, the expansion-blocked alert's expression returns t1 with its
// pod and zone; and every query of the dashboard, its template variables
// resolved as Grafana chains them (zone > pod > TOR), returns data.
func TestPrometheusRulesAndDashboard(t *testing.T) {
	t.Parallel()
	promBin, promtool := needPrometheus(t)
	runPromtool(t, promtool, repoPath(rulesDir), "check", "rules", "netipam-rules.yml")
	runPromtool(t, promtool, repoPath(rulesDir), "test", "rules", "netipam-rules.test.yml")

	url := seededMonitor(t)
	addr := freePort(t)
	s := startServe(t, url, "--metrics-addr", addr)
	p := startPrometheus(t, promBin, addr, repoPath(rulesFile))

	// Scraped before each round of allocations, so that their rates (and
	// the latency histogram's, whose series the first allocation creates)
	// are seen.
	waitQuery(t, p, `up{job="netipam"} == 1`, 30*time.Second, nil)
	driveBlocked(t, s)
	waitQuery(t, p, `ipam_request_duration_seconds_count{op="allocate"} > 0`, 30*time.Second, nil)
	driveT2(t, s)

	blocked := alertExpr(t, "NetipamExpansionBlocked")
	waitQuery(t, p, blocked, 60*time.Second, func(r []promSample) error {
		if len(r) != 1 {
			return fmt.Errorf("%d series, want t1's", len(r))
		}
		m := r[0].Metric
		if m["tor_id"] != "t1" || m["pod_id"] != "p1" || m["zone_id"] != "z" || m["purpose"] != "default" {
			return fmt.Errorf("labels %v, want t1 of pod p1, zone z, purpose default", m)
		}
		return nil
	})
	checkRulesHealthy(t, p)

	// What the panels show follows what the server did: t1 holds 12 of
	// its 13 addresses, one allocation found it exhausted, allocations
	// have a latency.
	for _, want := range []string{
		`netipam:tor_purpose_ip_usage:ratio{tor_id="t1",purpose="default",family="4"} == 12/13`,
		`sum(increase(ipam_requests_total{op="allocate",result="exhausted"}[5m])) > 0`,
		`netipam:allocate_requests:ratio_rate5m{result="exhausted"} > 0`,
		`histogram_quantile(0.99, sum by (le) (rate(ipam_request_duration_seconds_bucket{op="allocate"}[5m]))) > 0`,
	} {
		waitQuery(t, p, want, 30*time.Second, nil)
	}

	vars := resolveVariables(t, p)
	for _, q := range dashboardQueries(t) {
		expr := substitute(q.expr, vars)
		waitQuery(t, p, expr, 60*time.Second, func(r []promSample) error {
			if len(r) == 0 {
				return fmt.Errorf("no data")
			}
			t.Logf("%s: %d series, first %v = %v", q.panel, len(r), r[0].Metric, r[0].Value[1])
			return nil
		})
	}

	// The forecast (computed at most once a minute) sees the week's
	// allocations: t1, at 12 of 13, is full within 7 days.
	waitQuery(t, p, alertExpr(t, "NetipamTORFullSoon"), 90*time.Second, func(r []promSample) error {
		if len(r) != 1 || r[0].Metric["tor_id"] != "t1" {
			return fmt.Errorf("%v, want t1 only", r)
		}
		return nil
	})
}

// waitQuery evaluates expr until ok accepts its result (nil: until it
// returns any series), bounded by limit.
func waitQuery(t *testing.T, p *promServer, expr string, limit time.Duration, ok func([]promSample) error) {
	t.Helper()
	if ok == nil {
		ok = func(r []promSample) error {
			if len(r) == 0 {
				return fmt.Errorf("no data")
			}
			return nil
		}
	}
	deadline := time.Now().Add(limit)
	for {
		r, err := p.query(expr)
		if err == nil {
			if err = ok(r); err == nil {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("query %s: %v after %s\nprometheus:\n%s", expr, err, limit, p.stderr)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// rulesYAML is the shape of a rules file.
type rulesYAML struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Alert  string `yaml:"alert"`
			Record string `yaml:"record"`
			Expr   string `yaml:"expr"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

func readRules(t *testing.T) rulesYAML {
	t.Helper()
	b, err := os.ReadFile(repoPath(rulesFile))
	if err != nil {
		t.Fatal(err)
	}
	var r rulesYAML
	if err := yaml.Unmarshal(b, &r); err != nil {
		t.Fatalf("%s: %v", rulesFile, err)
	}
	return r
}

// alertExpr gives the expression of the named alert of the shipped rules.
func alertExpr(t *testing.T, name string) string {
	t.Helper()
	for _, g := range readRules(t).Groups {
		for _, r := range g.Rules {
			if r.Alert == name {
				return r.Expr
			}
		}
	}
	t.Fatalf("%s has no alert %s", rulesFile, name)
	return ""
}

// checkRulesHealthy waits until Prometheus has evaluated every rule of the
// shipped file (health ok, no error).
func checkRulesHealthy(t *testing.T, p *promServer) {
	t.Helper()
	want := map[string]int{}
	for _, g := range readRules(t).Groups {
		want[g.Name] = len(g.Rules)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		groups, err := p.rules()
		bad := []string{}
		if err != nil {
			bad = append(bad, err.Error())
		}
		for name, n := range want {
			if len(groups[name]) != n {
				bad = append(bad, fmt.Sprintf("group %s: %d rules loaded, want %d", name, len(groups[name]), n))
			}
			for _, r := range groups[name] {
				if r.Health != "ok" || r.LastError != "" {
					bad = append(bad, fmt.Sprintf("%s: health %q %s", r.Name, r.Health, r.LastError))
				}
			}
		}
		if len(bad) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("rules not all evaluated without error after 30s: %v", bad)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// dashboardQuery is one target of a panel.
type dashboardQuery struct{ panel, expr string }

// grafanaDashboard is the part of the dashboard JSON the test reads.
type grafanaDashboard struct {
	Panels []struct {
		Title   string `json:"title"`
		Type    string `json:"type"`
		Targets []struct {
			Expr string `json:"expr"`
		} `json:"targets"`
	} `json:"panels"`
	Templating struct {
		List []struct {
			Name  string `json:"name"`
			Type  string `json:"type"`
			Query any    `json:"query"`
		} `json:"list"`
	} `json:"templating"`
}

func readDashboard(t *testing.T) grafanaDashboard {
	t.Helper()
	b, err := os.ReadFile(repoPath(dashboard))
	if err != nil {
		t.Fatal(err)
	}
	var d grafanaDashboard
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("%s: %v", dashboard, err)
	}
	return d
}

// dashboardQueries lists every query of every panel; a panel other than a
// row without one is an error.
func dashboardQueries(t *testing.T) []dashboardQuery {
	t.Helper()
	var out []dashboardQuery
	for _, p := range readDashboard(t).Panels {
		if p.Type == "row" {
			continue
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			if tg.Expr == "" {
				t.Errorf("panel %q has a target without an expression", p.Title)
			}
			out = append(out, dashboardQuery{p.Title, tg.Expr})
		}
	}
	if len(out) < 20 {
		t.Fatalf("%d queries in %s: the test reads it wrong", len(out), dashboard)
	}
	return out
}

// labelValuesRE reads Grafana's label_values(selector, label).
var labelValuesRE = regexp.MustCompile(`^label_values\((.+),\s*(\w+)\)$`)

// resolveVariables evaluates the dashboard's query variables in order, as
// Grafana does (each may use those before it), and checks the chain
// zone > pod > TOR gives the topology's values. It gives each variable
// the regex of all its values, and Grafana's interval variables values
// that cover the test's samples.
func resolveVariables(t *testing.T, p *promServer) map[string]string {
	t.Helper()
	vars := map[string]string{"__rate_interval": "5m", "__interval": "15s", "__range": "10m"}
	got := map[string][]string{}
	for _, v := range readDashboard(t).Templating.List {
		if v.Type != "query" {
			continue
		}
		q, ok := v.Query.(map[string]any)
		if !ok {
			t.Fatalf("variable %s: query %v is not an object", v.Name, v.Query)
		}
		m := labelValuesRE.FindStringSubmatch(fmt.Sprint(q["query"]))
		if m == nil {
			t.Fatalf("variable %s: %v is not label_values(selector, label)", v.Name, q["query"])
		}
		var vals []string
		deadline := time.Now().Add(30 * time.Second)
		for {
			var err error
			vals, err = p.labelValues(m[2], substitute(m[1], vars))
			if err == nil && len(vals) > 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("variable %s (%s): no values after 30s: %v", v.Name, q["query"], err)
			}
			time.Sleep(250 * time.Millisecond)
		}
		sort.Strings(vals)
		got[v.Name] = vals
		vars[v.Name] = strings.Join(vals, "|")
	}
	for name, want := range map[string][]string{"zone": {"z"}, "pod": {"p1"}, "tor": {"t1", "t2"}} {
		if !slices.Equal(got[name], want) {
			t.Errorf("variable %s = %v, want %v", name, got[name], want)
		}
	}
	return vars
}

// substitute replaces $name and ${name} by vars' values, longest names
// first ($pod is no prefix of $purpose's value).
func substitute(expr string, vars map[string]string) string {
	names := make([]string, 0, len(vars))
	for n := range vars {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return len(names[i]) > len(names[j]) })
	for _, n := range names {
		expr = strings.ReplaceAll(expr, "${"+n+"}", vars[n])
		expr = strings.ReplaceAll(expr, "$"+n, vars[n])
	}
	return expr
}
