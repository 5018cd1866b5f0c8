package cni

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"

	"github.com/containernetworking/cni/pkg/skel"
	"github.com/containernetworking/cni/pkg/types"

	"github.com/netipam/netipam/server/api"
	"github.com/netipam/netipam/strictjson"
	"github.com/netipam/netipam/topo"
)

// ipamKeys are the keys netipam reads from the ipam section; any other key
// there is an error (a typo must not silently fall back to a default).
const ipamKeys = "type, purposes, store, node, server, token_file, server_ca, routes, aggregate_routes"

// ipamSection is the `ipam` object of the network configuration.
type ipamSection struct {
	Type      string         `json:"type"`
	Purposes  []topo.Purpose `json:"purposes"`
	Store     string         `json:"store"`
	Node      string         `json:"node"`
	Server    string         `json:"server"`
	TokenFile string         `json:"token_file"`
	// ServerCA is a PEM file of the CA an https server's certificate
	// must chain to.
	ServerCA string         `json:"server_ca"`
	Routes   []routeSection `json:"routes"`
	// AggregateRoutes "tor" adds the node's TOR's aggregate prefixes as
	// routes (routes.go).
	AggregateRoutes string `json:"aggregate_routes"`
}

type routeSection struct {
	Dst string `json:"dst"`
	GW  string `json:"gw"`
}

// netConf is what netipam reads of the whole network configuration; the
// rest belongs to other plugins and is ignored.
type netConf struct {
	CNIVersion       string               `json:"cniVersion"`
	Name             string               `json:"name"`
	IPAM             json.RawMessage      `json:"ipam"`
	ValidAttachments []types.GCAttachment `json:"cni.dev/valid-attachments"`
	RuntimeConfig    struct {
		IPs []string `json:"ips"`
	} `json:"runtimeConfig"`
	Args struct {
		CNI struct {
			IPs []string `json:"ips"`
		} `json:"cni"`
	} `json:"args"`
}

// config is a checked configuration with its defaults applied.
type config struct {
	CNIVersion string
	// Network is the network's name, recorded with its allocations.
	Network  string
	Purposes []topo.Purpose
	// Store is the config's "store"; empty, the plugin's run gives it
	// Options.DefaultStore.
	Store string
	// StoreSet says the config names the store: with Server, the plugin
	// falls back to it when the server cannot be reached at all.
	StoreSet bool
	// Server is the netipam server to ask (unix:///..., http(s)://...),
	// with the bearer token in TokenFile for TCP and, for https, the CA
	// its certificate chains to in ServerCA.
	Server, TokenFile, ServerCA string
	Node                        string
	Routes                      []route
	// AggregateRoutes is the level whose aggregate prefixes ADD adds as
	// routes: LevelTOR or none.
	AggregateRoutes topo.Level
	// IPs are static addresses from runtimeConfig.ips and args.cni.ips.
	IPs []netip.Addr
	// Keep lists the attachments GC must not release.
	Keep []topo.Attachment
}

// route is a route to return with the addresses; a zero gw means the
// gateway of the allocated subnet of the same family.
type route struct {
	dst netip.Prefix
	gw  netip.Addr
}

// parseConfig reads a network configuration; hostname gives the node
// when the ipam section names none. Every error is a configError.
func parseConfig(stdin []byte, hostname func() (string, error)) (*config, error) {
	c, err := parse(stdin, hostname)
	if err != nil {
		return nil, configError{err}
	}
	return c, nil
}

func parse(stdin []byte, hostname func() (string, error)) (*config, error) {
	var n netConf
	// Other plugins' keys are theirs; netipam's keys, given twice or in
	// another case, would make it read what the runtime did not mean.
	if err := strictjson.Check(stdin, &n, strictjson.Options{AllowUnknown: true}); err != nil {
		return nil, fmt.Errorf("read network config: %w", err)
	}
	if err := json.Unmarshal(stdin, &n); err != nil {
		return nil, fmt.Errorf("read network config: %w", err)
	}
	raw := bytes.TrimSpace(n.IPAM)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, errors.New(`network config has no "ipam" section: add {"type": "netipam"}`)
	}
	var s ipamSection
	if err := strictjson.Check(raw, &s, strictjson.Options{AllowUnknown: true}); err != nil { // unknown keys: below
		return nil, fmt.Errorf("ipam: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		if k, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return nil, fmt.Errorf("ipam: unknown key %s: netipam reads %s", k, ipamKeys)
		}
		return nil, fmt.Errorf("ipam: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("ipam: trailing data after the object")
	}
	c := &config{CNIVersion: n.CNIVersion, Network: n.Name, Purposes: s.Purposes, Store: s.Store, Node: s.Node,
		Server: s.Server, TokenFile: s.TokenFile, ServerCA: s.ServerCA, StoreSet: s.Store != ""}
	if c.Server != "" {
		if _, err := api.NewClientWith(c.Server, "", api.ClientOptions{CAFile: c.ServerCA}); err != nil {
			return nil, fmt.Errorf("ipam.server: %w", err)
		}
	} else if c.TokenFile != "" {
		return nil, errors.New("ipam.token_file goes with ipam.server")
	} else if c.ServerCA != "" {
		return nil, errors.New("ipam.server_ca goes with an https:// ipam.server")
	}
	if len(c.Purposes) == 0 {
		c.Purposes = []topo.Purpose{topo.PurposeDefault}
	}
	for i, p := range c.Purposes {
		if p == "" {
			return nil, fmt.Errorf("ipam.purposes[%d]: empty purpose", i)
		}
		if slices.Index(c.Purposes, p) != i {
			return nil, fmt.Errorf("ipam.purposes[%d]: %q is listed twice", i, p)
		}
	}
	if c.Node == "" {
		h, err := hostname()
		if err != nil || h == "" {
			return nil, fmt.Errorf("ipam.node is not set and the host name is unknown (%v): set ipam.node", err)
		}
		c.Node = h
	}
	agg, err := parseAggregateRoutes(s.AggregateRoutes)
	if err != nil {
		return nil, err
	}
	c.AggregateRoutes = agg
	for i, r := range s.Routes {
		rt, err := parseRoute(r)
		if err != nil {
			return nil, fmt.Errorf("ipam.routes[%d]: %w", i, err)
		}
		c.Routes = append(c.Routes, rt)
	}
	if err := topo.CheckListLen("runtimeConfig.ips and args.cni.ips", len(n.RuntimeConfig.IPs)+len(n.Args.CNI.IPs), topo.MaxAddresses); err != nil {
		return nil, err
	}
	for _, src := range []struct {
		field string
		ips   []string
	}{{"runtimeConfig.ips", n.RuntimeConfig.IPs}, {"args.cni.ips", n.Args.CNI.IPs}} {
		for i, v := range src.ips {
			ip, err := parseStaticIP(v)
			if err != nil {
				return nil, fmt.Errorf("%s[%d]: %w", src.field, i, err)
			}
			if !slices.Contains(c.IPs, ip) {
				c.IPs = append(c.IPs, ip)
			}
		}
	}
	if err := topo.CheckListLen("cni.dev/valid-attachments", len(n.ValidAttachments), topo.MaxAttachments); err != nil {
		return nil, err
	}
	c.Keep = make([]topo.Attachment, 0, len(n.ValidAttachments))
	for _, a := range n.ValidAttachments {
		c.Keep = append(c.Keep, topo.Attachment{Network: c.Network, Container: a.ContainerID, IfName: a.IfName})
	}
	return c, nil
}

func parseRoute(r routeSection) (route, error) {
	dst, err := netip.ParsePrefix(r.Dst)
	if err != nil {
		return route{}, fmt.Errorf("dst %q: use a prefix such as 0.0.0.0/0", r.Dst)
	}
	rt := route{dst: dst.Masked()}
	if r.GW != "" {
		if rt.gw, err = netip.ParseAddr(r.GW); err != nil {
			return route{}, fmt.Errorf("gw %q: not an IP address", r.GW)
		}
		rt.gw = rt.gw.Unmap()
		if rt.gw.Is4() != dst.Addr().Is4() {
			return route{}, fmt.Errorf("gw %s and dst %s are of different families", rt.gw, dst)
		}
	}
	return rt, nil
}

// parseStaticIP takes an address with or without a prefix length (runtimes
// send "10.244.0.50/22"); the length is the subnet's, not the caller's.
func parseStaticIP(v string) (netip.Addr, error) {
	if p, err := netip.ParsePrefix(v); err == nil {
		return p.Addr().Unmap(), nil
	}
	ip, err := netip.ParseAddr(v)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("%q: not an IP address", v)
	}
	return ip.Unmap(), nil
}

// podArgs reads the pod's namespace and name from CNI_ARGS
// ("K8S_POD_NAMESPACE=ns;K8S_POD_NAME=web-0;..."); other keys are the
// runtime's and ignored.
func podArgs(args string) (ns, name string) {
	for _, kv := range strings.Split(args, ";") {
		k, v, _ := strings.Cut(kv, "=")
		switch strings.TrimSpace(k) {
		case "K8S_POD_NAMESPACE":
			ns = v
		case "K8S_POD_NAME":
			name = v
		}
	}
	return ns, name
}

// attachment is the CNI spec's key of what the runtime asks about.
func (c *config) attachment(args *skel.CmdArgs) topo.Attachment {
	return topo.Attachment{Network: c.Network, Container: args.ContainerID, IfName: args.IfName}
}
