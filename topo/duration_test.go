package topo_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/netipam/netipam/topo"
)

func TestParseDuration(t *testing.T) {
	for _, c := range []struct {
		in   string
		want time.Duration
	}{
		{"90s", 90 * time.Second},
		{"15m", 15 * time.Minute},
		{"24h", 24 * time.Hour},
		{"7d", 7 * 24 * time.Hour},
		{"1d12h", 36 * time.Hour},
		{"1.5d", 36 * time.Hour},
		{"1h30m", 90 * time.Minute},
		{"2d3h4m5s", 51*time.Hour + 4*time.Minute + 5*time.Second},
		{"0", 0},
		{"0s", 0},
		{"36500d", topo.MaxDuration},
	} {
		got, err := topo.ParseDuration(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
		if c.want > 0 {
			back, err := topo.ParseDuration(topo.FormatDuration(got))
			if err != nil || back != got {
				t.Errorf("ParseDuration(FormatDuration(%v) = %q) = %v, %v", got, topo.FormatDuration(got), back, err)
			}
		}
	}
	for _, in := range []string{"", "-1h", "+1h", "10x", "d", "7", "1d-1h", "7 d", " 7d", "1e3h", "1..5d",
		"36501d", "36500d1s", "99999999999999999999d", "9223372036854775807ns9223372036854775807ns", "2562048h"} {
		got, err := topo.ParseDuration(in)
		if err == nil {
			t.Errorf("ParseDuration(%q) = %v, want an error", in, got)
			continue
		}
		if !errors.Is(err, topo.ErrInvalid) || !strings.Contains(err.Error(), "write a duration such as 90s, 15m, 24h, 7d or 1d12h") {
			t.Errorf("ParseDuration(%q): %v: want the one invalid-duration message", in, err)
		}
	}
	if _, err := topo.ParsePositiveDuration("0d"); err == nil || !strings.Contains(err.Error(), "above zero") {
		t.Errorf("ParsePositiveDuration(0d) = %v, want an above-zero error", err)
	}
}

// TestDurationFlag: the flag value reads what ParseDuration reads, keeps
// its value on a bad input, and shows zero as no default.
func TestDurationFlag(t *testing.T) {
	var d topo.Duration
	if d.String() != "0" || d.Type() != "duration" {
		t.Errorf("zero Duration: String %q Type %q", d.String(), d.Type())
	}
	if err := d.Set("1d12h"); err != nil || d.D() != 36*time.Hour || d.String() != "1d12h0m0s" && d.String() != "36h0m0s" {
		t.Errorf("Set(1d12h): %v, %v (%s)", err, d.D(), d.String())
	}
	if err := d.Set("7x"); err == nil || d.D() != 36*time.Hour {
		t.Errorf("Set(7x): %v, value %v: want an error and the value unchanged", err, d.D())
	}
	if err := d.Set("7d"); err != nil || d.String() != "7d" {
		t.Errorf("Set(7d): %v, String %q", err, d.String())
	}
}
