package e2e

import (
	"strings"
	"testing"
	"time"
)

// TestCommandsDirectAndThroughServer runs every command that changes data
// on two stores seeded alike: on one directly, on the other through a
// running `netipam serve` (--server), and finds the same exit status, the
// same output and, at the end, the same stored data. The clock is fixed,
// so that both record the same times.
func TestCommandsDirectAndThroughServer(t *testing.T) {
	direct, directPath := seeded(t)
	viaServer, serverPath := seeded(t)
	t0 := time.Date(2020, 1, 1, 1, 0, 0, 0, time.UTC)
	// An expanded block that will have been empty for two days: what
	// subnet reclaim returns.
	for _, url := range []string{direct, viaServer} {
		mustRunAt(t, url, t0.Format(time.RFC3339), "", "subnet", "expand", "--tor", "tor-2", "--purpose", "storage")
	}
	t.Setenv(envNow, t0.Add(48*time.Hour).Format(time.RFC3339))
	s := startServe(t, viaServer)
	kube := kubeNodes()
	for _, args := range [][]string{
		{"alloc", "--node", "node-01", "--container", "c1", "--ifname", "eth0", "--network", "net1", "-o", "json"},
		{"alloc", "--node", "node-03", "--count", "2", "-o", "json"},
		{"alloc", "--node", "node-01", "--ip", "10.244.0.50"},
		{"alloc", "--node", "node-01", "--ip", "10.244.0.50"}, // taken: exit 4
		{"release", "--container", "c1", "-o", "json"},
		{"release", "--container", "c1"}, // nothing: exit 3
		{"subnet", "expand", "--tor", "tor-1", "--purpose", "storage", "--dry-run", "-o", "json"},
		{"subnet", "expand", "--tor", "tor-1", "--purpose", "storage"},
		{"subnet", "expand", "--tor", "tor-1", "--purpose", "default", "--family", "6", "-o", "json"},
		{"subnet", "expand", "--tor", "tor-9"},                            // unknown TOR: exit 3
		{"subnet", "expand", "--tor", "tor-4", "--purpose", "management"}, // nothing to grow: exit 3
		{"subnet", "reclaim", "--dry-run"},
		{"subnet", "reclaim", "--grace", "1d", "-o", "json"},
		{"subnet", "reclaim", "--grace", "0"}, // exit 2
		{"node", "import", "--from-kubernetes", kube, "--tor-label", torLabel, "--dry-run"},
		{"node", "import", "--from-kubernetes", kube, "--tor-label", torLabel, "--prune", "-o", "json"},
		{"node", "import", "--from-kubernetes", kube, "--tor-label", torLabel, "--prune"},
		{"node", "import", "--from-kubernetes", kube, "--tor-label", "no/such-label"},                                // exit 2
		{"node", "import", "--from-kubernetes", kubeList(t, kubeItem("node-99", "tor-77")), "--tor-label", torLabel}, // exit 3
	} {
		want := run(t, direct, args...)
		got := run(t, viaServer, append([]string{"--server", "unix://" + s.sock}, args...)...)
		if got != want {
			t.Errorf("netipam %s\ndirectly: exit %d\n%s%s\nthrough the server: exit %d\n%s%s", strings.Join(args, " "),
				want.code, want.stdout, want.stderr, got.code, got.stdout, got.stderr)
		}
	}
	if t.Failed() {
		return
	}
	if a, b := dump(t, directPath), dump(t, serverPath); a != b {
		t.Errorf("the stores differ after the same commands:\ndirectly:\n%s\nthrough the server:\n%s", a, b)
	}
}
