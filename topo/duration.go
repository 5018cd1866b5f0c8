package topo

import (
	"strconv"
	"strings"
	"time"
)

// MaxDuration bounds every duration netipam reads: 36500 days.
const MaxDuration = 36500 * 24 * time.Hour

// durationHint ends every duration error, the same for every flag,
// setting and API field.
const durationHint = "write a duration such as 90s, 15m, 24h, 7d or 1d12h (no sign, at most 36500d)"

// ParseDuration reads a duration, the one syntax of every flag, setting
// and API field that takes one: Go's (90s, 15m, 1.5h, 1h30m) with one more
// unit, d for 24 hours (7d, 1d12h, 1.5d). Zero ("0", "0s") is accepted;
// a sign, an unknown unit or more than MaxDuration is not.
func ParseDuration(s string) (time.Duration, error) {
	v, ok := parseDuration(s)
	if !ok {
		return 0, Errorf(ErrInvalid, "duration %s: %s", Quote(s), durationHint)
	}
	return v, nil
}

// ParsePositiveDuration is ParseDuration for what must be above zero.
func ParsePositiveDuration(s string) (time.Duration, error) {
	v, err := ParseDuration(s)
	if err == nil && v == 0 {
		return 0, Errorf(ErrInvalid, "duration %s: must be above zero: %s", Quote(s), durationHint)
	}
	return v, err
}

func parseDuration(s string) (time.Duration, bool) {
	if s == "0" {
		return 0, true
	}
	if s == "" || strings.ContainsAny(s[:1], "+-") {
		return 0, false
	}
	var total time.Duration
	for s != "" {
		// One term: a number, then its unit.
		i := strings.IndexFunc(s, func(r rune) bool { return !(r == '.' || r >= '0' && r <= '9') })
		if i <= 0 {
			return 0, false
		}
		j := strings.IndexFunc(s[i:], func(r rune) bool { return r == '.' || r >= '0' && r <= '9' })
		if j < 0 {
			j = len(s) - i
		}
		num, unit := s[:i], s[i:i+j]
		s = s[i+j:]
		var v time.Duration
		var err error
		if unit == "d" {
			if v, err = time.ParseDuration(num + "h"); err == nil && v > MaxDuration/24 {
				return 0, false
			}
			v *= 24
		} else {
			v, err = time.ParseDuration(num + unit)
		}
		if err != nil || v > MaxDuration-total {
			return 0, false
		}
		total += v
	}
	return total, true
}

// FormatDuration writes a duration as ParseDuration reads it, in days when
// it is whole days.
func FormatDuration(v time.Duration) string {
	if v > 0 && v%(24*time.Hour) == 0 {
		return strconv.FormatInt(int64(v/(24*time.Hour)), 10) + "d"
	}
	return v.String()
}

// Duration is a flag value (pflag.Value) that ParseDuration reads: every
// command-line flag that takes a duration is one.
type Duration time.Duration

// Set reads s with ParseDuration.
func (d *Duration) Set(s string) error {
	v, err := ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// String writes the duration as FormatDuration does; zero is "0", which
// help output shows as no default.
func (d Duration) String() string {
	if d == 0 {
		return "0"
	}
	return FormatDuration(time.Duration(d))
}

// Type names the value in help output.
func (d *Duration) Type() string { return "duration" }

// D is the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }
