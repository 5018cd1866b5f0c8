package e2e

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestRoutes: routes prints the fewest prefixes covering what is assigned
// below a TOR, a pod (its TORs' and its own) and a zone (everything below
// and its own), per family; -o json; the same through --server; an
// unknown id exits 3 naming it, bad flags exit 2.
func TestRoutes(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "netipam.db")
	url := "sqlite://" + path
	mustRun(t, url, "topo", "import", repoPath("testdata/routes.yaml"))
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"--tor", "t1"}, []string{"10.0.0.0/25", "fd00::/63"}},
		{[]string{"--tor", "t2"}, []string{"10.0.0.128/26"}},
		{[]string{"--tor", "t3"}, nil},
		{[]string{"--pod", "p1"}, []string{"10.0.0.0/24", "fd00::/63"}},
		{[]string{"--zone", "z1"}, []string{"10.0.0.0/23", "fd00::/63"}},
	}
	for _, tc := range cases {
		out := mustRun(t, url, append([]string{"routes"}, tc.args...)...)
		if got := strings.Fields(out); !slices.Equal(got, tc.want) {
			t.Errorf("routes %v = %v, want %v", tc.args, got, tc.want)
		}
	}
	var j struct {
		Level, ID      string
		Prefixes, IPv4 []string
		IPv6           []string
	}
	if err := json.Unmarshal([]byte(mustRun(t, url, "routes", "--tor", "t1", "-o", "json")), &j); err != nil {
		t.Fatal(err)
	}
	if j.Level != "tor" || j.ID != "t1" || !slices.Equal(j.IPv4, []string{"10.0.0.0/25"}) || !slices.Equal(j.IPv6, []string{"fd00::/63"}) ||
		len(j.Prefixes) != 2 {
		t.Errorf("routes --tor t1 -o json = %+v", j)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--tor", "nope"}, 3, "--tor nope: unknown tor"},
		{[]string{"--pod", "t1"}, 3, "--pod t1: unknown pod"},
		{[]string{"--tor", "t1", "--pod", "p1"}, 2, "exactly one of --tor, --pod or --zone"},
		{nil, 2, "exactly one of --tor, --pod or --zone"},
		{[]string{"--zone", "bad id"}, 2, "not a valid id"},
	} {
		r := run(t, url, append([]string{"routes"}, tc.args...)...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("routes %v: exit %d, want %d with %q\n%s", tc.args, r.code, tc.code, tc.want, r.stderr)
		}
	}

	s := startServe(t, url)
	srv := "unix://" + s.sock
	for _, tc := range cases {
		out := mustRun(t, url, append([]string{"routes", "--server", srv}, tc.args...)...)
		if got := strings.Fields(out); !slices.Equal(got, tc.want) {
			t.Errorf("routes --server %v = %v, want %v", tc.args, got, tc.want)
		}
	}
	if r := run(t, url, "routes", "--server", srv, "--zone", "nope"); r.code != 3 || !strings.Contains(r.stderr, "--zone nope: unknown zone") {
		t.Errorf("routes --server --zone nope: exit %d, want 3\n%s", r.code, r.stderr)
	}
}
