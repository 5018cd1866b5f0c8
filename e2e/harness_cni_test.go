package e2e

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// cniCall is one plugin invocation: the CNI environment and the config.
type cniCall struct {
	command   string // ADD, DEL, CHECK, GC, STATUS, VERSION
	container string
	ifname    string // default eth0
	args      string // CNI_ARGS
	conf      string // stdin
	env       []string
}

// cniError is the error object a plugin prints on failure.
type cniError struct {
	CNIVersion string `json:"cniVersion"`
	Code       uint   `json:"code"`
	Msg        string `json:"msg"`
	Details    string `json:"details"`
}

// noNetNS is a CNI_NETNS that does not exist: skel only checks that it is
// not the plugin's own namespace, and an IPAM plugin never enters it.
const noNetNS = "/var/run/netns/netipam-test-none"

// runPlugin starts a plugin binary as a runtime would, bounded in time.
func runPlugin(t testing.TB, bin string, c cniCall) result {
	t.Helper()
	if c.ifname == "" {
		c.ifname = "eth0"
	}
	cmd := exec.Command(bin)
	cmd.Env = append(cniEnviron(),
		"CNI_COMMAND="+c.command, "CNI_CONTAINERID="+c.container, "CNI_IFNAME="+c.ifname,
		"CNI_NETNS="+noNetNS, "CNI_PATH=/nonexistent", "CNI_ARGS="+c.args)
	cmd.Env = append(cmd.Env, c.env...)
	return runCmd(t, cmd, c.conf)
}

// cniEnviron is the test's environment without anything that could point
// the plugin at another store or confuse it with a CNI command.
func cniEnviron() []string {
	return slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "CNI_") || strings.HasPrefix(kv, "NETIPAM_STORE=")
	})
}

// cniOK runs netipam as a plugin and fails the test unless it succeeds with
// nothing but JSON (or nothing) on stdout.
func cniOK(t testing.TB, c cniCall) string {
	t.Helper()
	r := runPlugin(t, binary, c)
	if r.code != 0 {
		t.Fatalf("CNI %s %s: exit %d\nstdout: %s\nstderr: %s", c.command, c.container, r.code, r.stdout, r.stderr)
	}
	if r.stdout != "" && !json.Valid([]byte(r.stdout)) {
		t.Fatalf("CNI %s: stdout is not only JSON: %q", c.command, r.stdout)
	}
	return r.stdout
}

// cniFail runs netipam as a plugin that must fail, and returns the CNI
// error it printed (the only thing on stdout).
func cniFail(t testing.TB, c cniCall) cniError {
	t.Helper()
	r := runPlugin(t, binary, c)
	if r.code == 0 {
		t.Fatalf("CNI %s succeeded, want an error: %s", c.command, r.stdout)
	}
	var e cniError
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil || dec.More() {
		t.Fatalf("CNI %s: stdout is not one CNI error object (%v): %q", c.command, err, r.stdout)
	}
	if e.CNIVersion == "" || e.Msg == "" || e.Details == "" {
		t.Fatalf("CNI %s: the error lacks cniVersion, msg or details, as the spec shows them: %q", c.command, r.stdout)
	}
	return e
}

// netConf builds a network config whose ipam section is netipam's with the
// given keys (a JSON object body without braces, may be empty).
func netConf(version, storeURL, ipam string, top ...string) string {
	if ipam != "" {
		ipam = ", " + ipam
	}
	extra := ""
	for _, kv := range top {
		extra += ", " + kv
	}
	return fmt.Sprintf(`{"cniVersion": %q, "name": "netipam-test", "type": "bridge"%s,
		"ipam": {"type": "netipam", "store": %q%s}}`, version, extra, storeURL, ipam)
}

// heldRow is one allocation as the table stores it.
type heldRow struct {
	address, node, container, ifname, podNS, podName string
}

// held reads the allocations table of a SQLite file, read-only.
func held(t testing.TB, path string) []heldRow {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT address, node_id, COALESCE(container, ''), ifname, pod_ns, pod_name
		FROM allocations ORDER BY addr_key`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []heldRow
	for rows.Next() {
		var h heldRow
		if err := rows.Scan(&h.address, &h.node, &h.container, &h.ifname, &h.podNS, &h.podName); err != nil {
			t.Fatal(err)
		}
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// owners groups held addresses by "container/ifname".
func owners(rows []heldRow) map[string][]string {
	out := map[string][]string{}
	for _, h := range rows {
		k := h.container + "/" + h.ifname
		out[k] = append(out[k], h.address)
	}
	return out
}
