package cmd

import (
	"strings"
	"testing"
)

// TestDurationFlagsOneSyntax: every flag that takes a duration reads the
// same syntax (days included) and refuses a bad one the same way, exit 2.
func TestDurationFlagsOneSyntax(t *testing.T) {
	st := goldenStore(t)
	for _, args := range [][]string{
		{"gc", "--node", "node-01", "--live", "/dev/null", "--allow-empty", "--dry-run", "--grace", "7d"},
		{"subnet", "reclaim", "--dry-run", "--grace", "7d"},
		{"gc", "--node", "node-01", "--live", "/dev/null", "--allow-empty", "--dry-run", "--grace", "1d12h"},
		{"subnet", "reclaim", "--dry-run", "--grace", "1d12h"},
		{"report", "forecast", "--window", "1d12h"},
		{"sql", "--timeout", "1d", "SELECT 1"},
	} {
		if r := runOn(t, st, false, args...); r.code != 0 {
			t.Errorf("netipam %s: exit %d\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.err)
		}
	}
	for _, args := range [][]string{
		{"gc", "--node", "node-01", "--live", "/dev/null", "--allow-empty", "--dry-run", "--grace", "10x"},
		{"subnet", "reclaim", "--dry-run", "--grace", "10x"},
		{"report", "forecast", "--window", "10x"},
		{"sql", "--timeout", "10x", "SELECT 1"},
		{"gc", "--node", "node-01", "--live", "/dev/null", "--allow-empty", "--dry-run", "--grace", "-1h"},
		{"subnet", "reclaim", "--dry-run", "--grace", "-1h"},
	} {
		r := runOn(t, st, false, args...)
		if r.code != 2 || !strings.Contains(r.err, "write a duration such as 90s, 15m, 24h, 7d or 1d12h") {
			t.Errorf("netipam %s: exit %d, want 2 and the one duration message\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.err)
		}
	}
	if r := runOn(t, st, false, "report", "forecast", "--window", "3651d"); r.code != 2 || !strings.Contains(r.err, "3650d") {
		t.Errorf("report forecast --window 3651d: exit %d, want 2 naming the bound\n%s", r.code, r.err)
	}
}
