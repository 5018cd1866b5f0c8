package server

import (
	"context"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/cmd/server/api"
	"github.com/netipam/netipam/topo"
)

// ErrUnreachable: no connection to the server could be made at all (no
// socket file, connection refused). Only then may a caller fall back to
// the store: a server that answered, even with an error, decided.
var ErrUnreachable = api.ErrUnreachable

// ClientOptions are the client's optional settings (api.ClientOptions).
type ClientOptions = api.ClientOptions

// Client is the Service of a running `netipam serve`, over HTTP: the API's
// client (package api) in the store's terms.
type Client struct {
	api *api.Client
}

var _ Service = (*Client)(nil)

// NewClient returns a client for unix:///path/to.sock, http://host:port or
// https://host:port; token, when not empty, is sent as a bearer token.
func NewClient(rawURL, token string) (*Client, error) {
	return NewClientWith(rawURL, token, ClientOptions{})
}

// NewClientWith is NewClient with options.
func NewClientWith(rawURL, token string, o ClientOptions) (*Client, error) {
	c, err := api.NewClientWith(rawURL, token, o)
	if err != nil {
		return nil, err
	}
	return &Client{api: c}, nil
}

// do sends a request and decodes a 200 answer into out, or the error
// body into the error of its kind (api.Client.Do).
func (c *Client) do(ctx context.Context, method, path string, body, out any) error {
	return c.api.Do(ctx, method, path, body, out)
}

// Allocate asks the server to allocate.
func (c *Client) Allocate(ctx context.Context, req alloc.Request) ([]topo.Allocation, error) {
	return c.api.Allocate(ctx, req)
}

// Release asks the server to release.
func (c *Client) Release(ctx context.Context, f topo.AllocationFilter, kind string) ([]topo.Allocation, error) {
	return c.api.Release(ctx, toFilterJSON(f), kind)
}

// Allocations asks the server for allocations. NotOwners is a release
// (GC) filter only.
func (c *Client) Allocations(ctx context.Context, f topo.AllocationFilter) ([]topo.Allocation, error) {
	return c.api.Allocations(ctx, toFilterJSON(f))
}

// Subnets asks the server for subnets.
func (c *Client) Subnets(ctx context.Context, f topo.SubnetFilter) ([]topo.SubnetRow, error) {
	out, err := c.api.Subnets(ctx, api.SubnetQuery{TOR: f.TOR, ForTOR: f.ForTOR, Purpose: f.Purpose, CIDR: f.CIDR})
	if err != nil {
		return nil, err
	}
	return fromSubnetsJSON(out), nil
}

// NodeTOR asks the server for a node's TOR.
func (c *Client) NodeTOR(ctx context.Context, node string) (string, error) {
	return c.api.NodeTOR(ctx, node)
}

// Usage asks the server for usage totals.
func (c *Client) Usage(ctx context.Context) ([]alloc.UsageRow, error) {
	return c.api.Usage(ctx)
}

// Ready says whether the server answers /readyz with 200 (nil) or why
// not.
func (c *Client) Ready(ctx context.Context) error {
	return c.api.Ready(ctx)
}
