package e2e

import (
	"strings"
	"testing"
)

// TestUnusableSubnet: a stored subnet no pool accepts (an IPv4 /31 and a
// /32 written by SQL, as an older build's expansion with prefix_length 31
// wrote them) is reported by check, named; every command and the server go
// on serving the rest of the TOR instead of failing for every TOR.
func TestUnusableSubnet(t *testing.T) {
	t.Parallel()
	_, base := seeded(t)
	url, path := copyStore(t, base)
	corrupt(t, path, rawSubnet("10.244.6.0/31", "tor-1", "default")+rawSubnet("10.244.6.4/32", "tor-1", "default"))

	r := run(t, url, "check")
	if r.code != 8 || strings.Count(r.stdout, "subnet-unusable") != 2 || !strings.Contains(r.stdout, "10.244.6.0/31") ||
		!strings.Contains(r.stdout, "10.244.6.4/32") {
		t.Fatalf("check: exit %d, want 8 naming both unusable subnets\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, args := range [][]string{
		{"alloc", "--node", "node-01", "--container", "u1", "--family", "4"},
		{"usage"},
		{"subnet", "list", "--tor", "tor-1"},
		{"report", "forecast"},
	} {
		if r := run(t, url, args...); r.code != 0 {
			t.Errorf("netipam %s: exit %d\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
		}
	}
	// A static address in the unusable subnet: a clear refusal, not a crash.
	if r := run(t, url, "alloc", "--node", "node-01", "--ip", "10.244.6.1"); r.code != 2 || !strings.Contains(r.stderr, "unusable") {
		t.Errorf("alloc --ip in an unusable subnet: exit %d, want 2 naming it unusable\n%s%s", r.code, r.stdout, r.stderr)
	}
	s := startServe(t, url)
	if r := run(t, url, "--server", "unix://"+s.sock, "alloc", "--node", "node-02", "--container", "u2", "--family", "4"); r.code != 0 {
		t.Errorf("alloc through the server: exit %d\n%s%s\n%s", r.code, r.stdout, r.stderr, s.stderr)
	}
}
