package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestServerCA: an https server whose certificate a private CA signed.
// Without the CA the CLI and the CNI plugin fail with an x509 error that
// says what to give (and the plugin does not fall back to the store);
// with --server-ca, NETIPAM_SERVER_CA or server_ca they succeed.
func TestServerCA(t *testing.T) {
	url, path := seeded(t)
	cert, key := selfSigned(t)
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("ca-token"), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freePort(t)
	startServe(t, url, "--listen", "tcp://"+addr, "--token-file", tokenFile, "--tls-cert", cert, "--tls-key", key)
	srv := "https://" + addr
	cli := []string{"alloc", "--server", srv, "--token-file", tokenFile, "--node", "node-01", "--purpose", "storage"}

	before := dump(t, path)
	r := run(t, url, append(cli, "--container", "no-ca")...)
	if r.code != 2 || !strings.Contains(r.stderr, "x509") || !strings.Contains(r.stderr, "--server-ca") {
		t.Errorf("CLI without the CA: exit %d, want 2 with an x509 error naming --server-ca\n%s", r.code, r.stderr)
	}
	if after := dump(t, path); after != before {
		t.Errorf("a refused call changed the store")
	}
	if r := run(t, url, append(cli, "--container", "flag-ca", "--server-ca", cert)...); r.code != 0 || !strings.Contains(r.stdout, "10.244.4.") {
		t.Errorf("CLI with --server-ca: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runWith(t, url, []string{"NETIPAM_SERVER_CA=" + cert}, "", append(cli, "--container", "env-ca")...); r.code != 0 {
		t.Errorf("CLI with NETIPAM_SERVER_CA: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for name, c := range map[string]struct {
		args []string
		want string
	}{
		"missing CA file": {[]string{"--server", srv, "--server-ca", filepath.Join(t.TempDir(), "none.pem")}, "none.pem"},
		"CA not PEM":      {[]string{"--server", srv, "--server-ca", tokenFile}, "no PEM certificate"},
		"CA over http":    {[]string{"--server", "http://" + addr, "--server-ca", cert}, "goes with an https:// server"},
	} {
		if r := run(t, url, append([]string{"usage"}, c.args...)...); r.code != 2 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%s: exit %d, want 2 and %q\n%s", name, r.code, c.want, r.stderr)
		}
	}

	// The CNI plugin: the config names the store too, so a fallback
	// would succeed; an untrusted certificate must not fall back.
	ipam := `"node": "node-01", "purposes": ["storage"], "server": "` + srv + `", "token_file": "` + tokenFile + `"`
	e := cniFail(t, cniCall{command: "ADD", container: "cni-no-ca", conf: netConf("1.1.0", url, ipam)})
	if e.Code != 7 || !strings.Contains(e.Msg+e.Details, "x509") || !strings.Contains(e.Msg+e.Details, "server_ca") {
		t.Errorf("CNI without server_ca: %+v, want code 7 with an x509 error naming server_ca", e)
	}
	if got := heldBy(t, url); strings.Contains(strings.Join(got, " "), "cni-no-ca") {
		t.Errorf("CNI without server_ca fell back to the store: %v", got)
	}
	out := cniOK(t, cniCall{command: "ADD", container: "cni-ca", conf: netConf("1.1.0", url, ipam+`, "server_ca": "`+cert+`"`)})
	if res := parseResult(t, "1.1.0", out); len(res.IPs) != 1 || !strings.HasPrefix(res.IPs[0].Address.IP.String(), "10.244.4.") {
		t.Errorf("CNI with server_ca: %s", out)
	}
	e = cniFail(t, cniCall{command: "ADD", container: "cni-ca-nosrv", conf: netConf("1.1.0", url, `"node": "node-01", "server_ca": "`+cert+`"`)})
	if e.Code != 7 || !strings.Contains(e.Msg+e.Details, "ipam.server_ca goes with") {
		t.Errorf("server_ca without server: %+v", e)
	}
}
