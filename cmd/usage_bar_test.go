package cmd

import (
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"

	"github.com/netipam/netipam/alloc"
)

func TestUseCell(t *testing.T) {
	for _, tc := range []struct {
		used, capacity uint64
		bar            string
		style          string
	}{
		{0, 100, "░░░░░░░░░░░░   0.0%", "low"},
		{1, 1000, "█░░░░░░░░░░░   0.1%", "low"}, // something used shows
		{50, 100, "██████░░░░░░  50.0%", "low"},
		{70, 100, "████████░░░░  70.0%", "mid"},
		{80, 100, "██████████░░  80.0%", "high"},
		{100, 100, "████████████ 100.0%", "high"},
		{5, 0, "░░░░░░░░░░░░      -", "low"},
	} {
		u := useCell{used: tc.used, capacity: alloc.CountOf(tc.capacity)}
		if got := u.text(true); got != tc.bar {
			t.Errorf("%d/%d: bar %q, want %q", tc.used, tc.capacity, got, tc.bar)
		}
		if got := u.text(false); got != percent(tc.used, alloc.CountOf(tc.capacity)) {
			t.Errorf("%d/%d: plain %q, want the percentage", tc.used, tc.capacity, got)
		}
		styles := map[string]lipgloss.Style{"low": barLow, "mid": barMid, "high": barHigh}
		if got := u.style(0.8); got.GetForeground() != styles[tc.style].GetForeground() {
			t.Errorf("%d/%d: wrong colour, want %s", tc.used, tc.capacity, tc.style)
		}
	}
}

// TestUseBarsOnlyOnATerminal: usage and forecast draw bars on a terminal,
// never when piped, as CSV or JSON.
func TestUseBarsOnlyOnATerminal(t *testing.T) {
	st := goldenStore(t)
	for _, args := range [][]string{{"usage"}, {"report", "forecast"}} {
		if tty := runOn(t, st, true, args...).stdout; !strings.Contains(tty, "█") {
			t.Errorf("%v on a terminal: no bar:\n%s", args, tty)
		}
		for _, f := range forms[1:] {
			if out := runOn(t, st, false, append(args, f.args...)...).stdout; strings.ContainsAny(out, "█░") {
				t.Errorf("%v %s: a bar:\n%s", args, f.name, out)
			}
		}
	}
}
