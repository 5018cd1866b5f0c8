package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/netipam/netipam/server"
	"github.com/netipam/netipam/server/api"
)

// selfSigned writes a certificate for 127.0.0.1 and its key, PEM.
func selfSigned(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "netipam test"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

func TestServeTLS(t *testing.T) {
	url, _ := seeded(t)
	cert, key := selfSigned(t)
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("tls-token"), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freePort(t)
	startServe(t, url, "--listen", "tcp://"+addr, "--token-file", tokenFile, "--tls-cert", cert, "--tls-key", key)
	c, err := server.NewClientWith("https://"+addr, "tls-token", api.ClientOptions{CAFile: cert})
	if err != nil {
		t.Fatal(err)
	}
	if tor, err := c.NodeTOR(context.Background(), "node-01"); err != nil || tor != "tor-1" {
		t.Errorf("over TLS: %q, %v", tor, err)
	}
	// Without the CA the system roots refuse the certificate: the server
	// was reached, so this is no reason to fall back to the store.
	plain, err := server.NewClient("https://"+addr, "tls-token")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := plain.NodeTOR(context.Background(), "node-01"); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("an unknown CA: %v, want a certificate error", err)
	}
}

func TestServeSocketGroup(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("setting a socket's group to another group needs root")
	}
	url, _ := seeded(t)
	s := startServe(t, url, "--socket-group", "65534")
	fi, err := os.Stat(s.sock)
	if err != nil {
		t.Fatal(err)
	}
	if st := fi.Sys().(*syscall.Stat_t); st.Gid != 65534 || fi.Mode().Perm() != 0o660 {
		t.Errorf("socket group %d mode %v, want 65534 and 0660", st.Gid, fi.Mode().Perm())
	}
	r := run(t, url, "serve", "--listen", "unix://"+filepath.Join(t.TempDir(), "s.sock"), "--socket-group", "no-such-group-x")
	if r.code != 2 || !strings.Contains(r.stderr, "no-such-group-x") {
		t.Errorf("unknown group: exit %d, %s", r.code, r.stderr)
	}
}
