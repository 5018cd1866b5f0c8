package api

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"time"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/ipam"
	"github.com/netipam/netipam/topo"
)

// ErrUnreachable: no connection to the server could be made at all (no
// socket file, connection refused). Only then may a caller fall back to
// the store: a server that answered, even with an error, decided. A socket
// this process may not use, or a path that is no socket, is not
// unreachable but an error of how netipam was called (socketError).
var ErrUnreachable = errors.New("server unreachable")

// Client timeouts: a connection is made at once or not at all; a request
// (allocation with retries on a busy store included) gets a generous
// bound.
const (
	dialTimeout = 2 * time.Second
	// RequestTimeout bounds a request, its allocation retries included.
	RequestTimeout = 60 * time.Second
)

// Client is the ipam.Service of a running `netipam serve`, over HTTP; it
// needs neither the store nor the server's code, so that the CNI plugin
// can use it from its light start (see cmd/cni/early.go).
type Client struct {
	base  string // http://host:port or https://host:port; http://netipam for a socket
	token string
	hc    *http.Client
}

var _ ipam.Service = (*Client)(nil)

// dialError marks a failure to connect, as opposed to one after the
// connection was made.
type dialError struct{ err error }

func (e dialError) Error() string { return e.err.Error() }
func (e dialError) Unwrap() error { return e.err }

// ClientOptions are the client's optional settings.
type ClientOptions struct {
	// CAFile, when set, is a PEM file of the CAs a https server's
	// certificate must chain to, instead of the system roots.
	CAFile string
}

// NewClient returns a client for unix:///path/to.sock, http://host:port or
// https://host:port; token, when not empty, is sent as a bearer token.
func NewClient(rawURL, token string) (*Client, error) {
	return NewClientWith(rawURL, token, ClientOptions{})
}

// NewClientWith is NewClient with options.
func NewClientWith(rawURL, token string, o ClientOptions) (*Client, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, topo.Errorf(topo.ErrInvalid, "server URL %.100q: %v: use unix:///path/to.sock, http://host:port or https://host:port", rawURL, err)
	}
	d := &net.Dialer{Timeout: dialTimeout}
	tr := &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: 90 * time.Second,
		TLSHandshakeTimeout: 5 * time.Second, ResponseHeaderTimeout: RequestTimeout}
	c := &Client{token: token, hc: &http.Client{Transport: tr, Timeout: RequestTimeout}}
	switch {
	case u.Scheme == "unix" && u.Path != "" && u.Host == "":
		path := u.Path
		tr.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			conn, err := d.DialContext(ctx, "unix", path)
			if err != nil {
				if serr := socketProblem(path, err); serr != nil {
					return nil, serr
				}
				return nil, dialError{err}
			}
			return conn, nil
		}
		c.base = "http://netipam"
	case (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && (u.Path == "" || u.Path == "/"):
		tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := d.DialContext(ctx, network, addr)
			if err != nil {
				return nil, dialError{err}
			}
			return conn, nil
		}
		c.base = u.Scheme + "://" + u.Host
		if o.CAFile != "" {
			pem, err := os.ReadFile(o.CAFile)
			if err != nil {
				return nil, topo.Errorf(topo.ErrInvalid, "read CA file %s: %w", o.CAFile, err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return nil, topo.Errorf(topo.ErrInvalid, "CA file %s holds no PEM certificate", o.CAFile)
			}
			tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
		}
	default:
		return nil, topo.Errorf(topo.ErrInvalid, "server URL %.100q: use unix:///path/to.sock, http://host:port or https://host:port", rawURL)
	}
	if o.CAFile != "" && u.Scheme != "https" {
		return nil, topo.Errorf(topo.ErrInvalid, "CA file %s goes with an https:// server, not %.100q: drop the CA or use https", o.CAFile, rawURL)
	}
	return c, nil
}

// Do sends a request and decodes a 200 answer into out, or the error
// body into the error of its kind.
func (c *Client) Do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encode %s %s: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		var se *socketError
		if errors.As(err, &se) {
			return se
		}
		var de dialError
		if errors.As(err, &de) {
			return &unreachableError{fmt.Errorf("connect to netipam server: %w", de.err)}
		}
		if untrusted(err) {
			return topo.Errorf(topo.ErrInvalid, "%s %s on netipam server %s: %w: the server's certificate is not trusted here: "+
				"give the CA that signed it (--server-ca FILE, or server_ca in the CNI config)", method, path, c.base, err)
		}
		return topo.Errorf(topo.ErrUnavailable, "%s %s on netipam server: %w", method, path, err)
	}
	defer resp.Body.Close()
	dec := json.NewDecoder(io.LimitReader(resp.Body, 256<<20))
	if resp.StatusCode != http.StatusOK {
		var e Error
		if err := dec.Decode(&e); err != nil || e.Kind == "" {
			return fmt.Errorf("%s %s on netipam server: status %s without an error body", method, path, resp.Status)
		}
		return e.Err()
	}
	if err := dec.Decode(out); err != nil {
		return fmt.Errorf("read the answer to %s %s from netipam server: %w", method, path, err)
	}
	return nil
}

// untrusted reports a TLS failure to verify the server's certificate
// (unknown CA, wrong host name, expired): no retry helps, and it is no
// reason to fall back to the store.
func untrusted(err error) bool {
	var ve *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	var ci x509.CertificateInvalidError
	return errors.As(err, &ve) || errors.As(err, &ua) || errors.As(err, &he) || errors.As(err, &ci)
}

// unreachableError is ErrUnreachable with the cause; it is also
// topo.ErrUnavailable (exit 6, CNI 11) for a caller that does not fall
// back.
type unreachableError struct{ err error }

func (e *unreachableError) Error() string { return e.err.Error() + ": is `netipam serve` running?" }
func (e *unreachableError) Unwrap() []error {
	return []error{e.err, ErrUnreachable, topo.ErrUnavailable}
}

// Allocate asks the server to allocate.
func (c *Client) Allocate(ctx context.Context, req alloc.Request) ([]topo.Allocation, error) {
	var out []topo.Allocation
	if err := c.Do(ctx, http.MethodPost, "/v1/allocate", NewAllocateBody(req), &out); err != nil {
		return nil, err
	}
	return NonNil(out), nil
}

// Release asks the server to release.
func (c *Client) Release(ctx context.Context, f topo.AllocationFilter, kind string) ([]topo.Allocation, error) {
	var out []topo.Allocation
	if err := c.Do(ctx, http.MethodPost, "/v1/release", ReleaseBody{Filter: FilterOf(f), Kind: kind}, &out); err != nil {
		return nil, err
	}
	return NonNil(out), nil
}

// Allocations asks the server for allocations. NotOwners is a release
// (GC) filter only.
func (c *Client) Allocations(ctx context.Context, f topo.AllocationFilter) ([]topo.Allocation, error) {
	if f.NotOwners != nil {
		return nil, topo.Errorf(topo.ErrInvalid, "list allocations: a not-owners filter is for gc only")
	}
	var out []topo.Allocation
	path := "/v1/allocations"
	if q := FilterOf(f).Query().Encode(); q != "" {
		path += "?" + q
	}
	if err := c.Do(ctx, http.MethodGet, path, nil, &out); err != nil {
		return nil, err
	}
	return NonNil(out), nil
}

// Subnets asks the server for subnets.
func (c *Client) Subnets(ctx context.Context, f topo.SubnetFilter) ([]topo.SubnetRow, error) {
	path := "/v1/subnets"
	if v := SubnetValues(f); len(v) > 0 {
		path += "?" + v.Encode()
	}
	var out []Subnet
	if err := c.Do(ctx, http.MethodGet, path, nil, &out); err != nil {
		return nil, err
	}
	rows := make([]topo.SubnetRow, len(out))
	for i, j := range out {
		rows[i] = j.Row()
	}
	return rows, nil
}

// NodeTOR asks the server for a node's TOR.
func (c *Client) NodeTOR(ctx context.Context, node string) (string, error) {
	var out TOR
	if err := c.Do(ctx, http.MethodGet, "/v1/nodes/"+url.PathEscape(node)+"/tor", nil, &out); err != nil {
		return "", err
	}
	return out.TOR, nil
}

// Routes asks the server for the fewest prefixes covering every subnet
// below a TOR, pod or zone.
func (c *Client) Routes(ctx context.Context, level topo.Level, id string) ([]netip.Prefix, error) {
	q := url.Values{"level": {string(level)}, "id": {id}}
	var out Routes
	if err := c.Do(ctx, http.MethodGet, "/v1/routes?"+q.Encode(), nil, &out); err != nil {
		return nil, err
	}
	return out.Prefixes, nil
}

// Usage asks the server for usage totals.
func (c *Client) Usage(ctx context.Context) ([]alloc.UsageRow, error) {
	var out []alloc.UsageRow
	if err := c.Do(ctx, http.MethodGet, "/v1/usage", nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// Ready says whether the server answers /readyz with 200 (nil) or why
// not.
func (c *Client) Ready(ctx context.Context) error {
	var s Status
	return c.Do(ctx, http.MethodGet, "/readyz", nil, &s)
}
