package store

import (
	"strings"
	"testing"
	"time"
)

func TestParseRqliteURL(t *testing.T) {
	good := []struct {
		in      string
		hosts   string
		level   string
		timeout time.Duration
		user    string
	}{
		{"127.0.0.1:4001", "127.0.0.1:4001", "weak", 10 * time.Second, ""},
		{"127.0.0.1:4001,127.0.0.1:4011, 127.0.0.1:4021/", "127.0.0.1:4001,127.0.0.1:4011,127.0.0.1:4021", "weak", 10 * time.Second, ""},
		{"h1:4001,h2:4001?level=linearizable&timeout=3s", "h1:4001,h2:4001", "linearizable", 3 * time.Second, ""},
		{"h1:4001?level=none&timeout=7", "h1:4001", "none", 7 * time.Second, ""},
		{"bob:s%40cret@h1:4001,h2:4001", "h1:4001,h2:4001", "weak", 10 * time.Second, "bob:s@cret"},
		{"[::1]:4001", "[::1]:4001", "weak", 10 * time.Second, ""},
	}
	for _, g := range good {
		cfg, err := parseRqliteURL(g.in)
		if err != nil {
			t.Errorf("%q: %v", g.in, err)
			continue
		}
		user := ""
		if cfg.user != nil {
			p, _ := cfg.user.Password()
			user = cfg.user.Username() + ":" + p
		}
		if h := strings.Join(cfg.hosts, ","); h != g.hosts || cfg.level != g.level || cfg.timeout != g.timeout || user != g.user {
			t.Errorf("%q: got %s %s %v %q", g.in, h, cfg.level, cfg.timeout, user)
		}
	}
	for _, b := range []string{"", ",", "h1", "h1:", "h1:99999", ":4001", "h1:4001?level=eventual",
		"h1:4001?timeout=-1s", "h1:4001?timeout=soon", "h1:4001?consistency=weak"} {
		if _, err := parseRqliteURL(b); err == nil {
			t.Errorf("%q: accepted", b)
		}
	}
	if got := redactUser("bob:secret@h1:4001"); strings.Contains(got, "secret") {
		t.Errorf("redactUser kept the password: %s", got)
	}
}
