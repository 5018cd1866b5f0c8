package cni

import (
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/netipam/netipam/topo"
)

func hostname() (string, error) { return "host-a", nil }

func TestParseConfig(t *testing.T) {
	for _, tc := range []struct {
		name, conf string
		check      func(*testing.T, *config)
		err        string
	}{
		{name: "defaults", conf: `{"cniVersion": "1.0.0", "name": "n", "ipam": {"type": "netipam"}}`,
			check: func(t *testing.T, c *config) {
				if !slices.Equal(c.Purposes, []string{"default"}) || c.Node != "host-a" || c.Store != "" || c.StoreSet ||
					c.Keep == nil || len(c.Keep) != 0 {
					t.Fatalf("%+v", c)
				}
			}},
		{name: "all keys", conf: `{"cniVersion": "1.1.0", "name": "n", "other-plugin-key": {"x": 1},
			"runtimeConfig": {"ips": ["10.0.0.5/24", "fd00::5"]}, "args": {"cni": {"ips": ["10.0.0.5"]}},
			"cni.dev/valid-attachments": [{"containerID": "c", "ifname": "eth0"}],
			"ipam": {"type": "netipam", "purposes": ["storage", "default"], "store": "sqlite:///x.db", "node": "n1",
				"routes": [{"dst": "0.0.0.0/0"}, {"dst": "10.96.0.1/12", "gw": "10.0.0.254"}]}}`,
			check: func(t *testing.T, c *config) {
				if !slices.Equal(c.Purposes, []string{"storage", "default"}) || c.Node != "n1" || c.Store != "sqlite:///x.db" {
					t.Fatalf("%+v", c)
				}
				if want := []netip.Addr{netip.MustParseAddr("10.0.0.5"), netip.MustParseAddr("fd00::5")}; !slices.Equal(c.IPs, want) {
					t.Fatalf("ips %v, want %v", c.IPs, want)
				}
				if len(c.Routes) != 2 || c.Routes[1].dst != netip.MustParsePrefix("10.96.0.0/12") || c.Routes[1].gw != netip.MustParseAddr("10.0.0.254") {
					t.Fatalf("routes %+v", c.Routes)
				}
				if len(c.Keep) != 1 || c.Keep[0] != (topo.Attachment{Network: "n", Container: "c", IfName: "eth0"}) {
					t.Fatalf("keep %+v", c.Keep)
				}
			}},
		{name: "unknown key", conf: `{"ipam": {"type": "netipam", "stor": "x"}}`, err: `ipam: unknown key "stor": netipam reads type, purposes`},
		{name: "wrong type", conf: `{"ipam": {"purposes": "default"}}`, err: "ipam: json: cannot unmarshal string"},
		{name: "server URL", conf: `{"ipam": {"server": "ftp://s"}}`, err: "ipam.server"},
		{name: "token without server", conf: `{"ipam": {"token_file": "/t"}}`, err: "ipam.token_file goes with ipam.server"},
		{name: "empty purpose", conf: `{"ipam": {"purposes": [""]}}`, err: "ipam.purposes[0]: empty purpose"},
		{name: "route families", conf: `{"ipam": {"routes": [{"dst": "::/0", "gw": "10.0.0.1"}]}}`, err: "different families"},
		{name: "route gw", conf: `{"ipam": {"routes": [{"dst": "::/0", "gw": "x"}]}}`, err: `ipam.routes[0]: gw "x"`},
		{name: "args ip", conf: `{"args": {"cni": {"ips": ["nope"]}}, "ipam": {}}`, err: `args.cni.ips[0]: "nope"`},
		{name: "null ipam", conf: `{"ipam": null}`, err: `no "ipam" section`},
		{name: "not json", conf: `{`, err: "read network config"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parseConfig([]byte(tc.conf), hostname)
			if tc.err != "" {
				var ce configError
				if err == nil || !strings.Contains(err.Error(), tc.err) || !errors.As(err, &ce) {
					t.Fatalf("err %v, want a configError containing %q", err, tc.err)
				}
				if e := cniError("ADD", err); e.Code != codeInvalidConfig {
					t.Fatalf("code %d, want 7", e.Code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, c)
		})
	}
}

func TestPodArgs(t *testing.T) {
	ns, name := podArgs("IgnoreUnknown=1;K8S_POD_NAMESPACE=shop;K8S_POD_NAME=web-0;K8S_POD_INFRA_CONTAINER_ID=abc;junk")
	if ns != "shop" || name != "web-0" {
		t.Fatalf("got %q %q", ns, name)
	}
}

func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(`{"ipam": {"type": "netipam", "routes": [{"dst": "0.0.0.0/0"}]}}`))
	f.Add([]byte(`{"runtimeConfig": {"ips": ["10.0.0.1/8"]}, "ipam": {"purposes": ["a"]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := parseConfig(b, hostname)
		if err == nil && (c.Node == "" || c.StoreSet != (c.Store != "") || len(c.Purposes) == 0) {
			t.Fatalf("accepted %q without defaults: %+v", b, c)
		}
	})
}
