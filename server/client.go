package server

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/netipam/netipam/ipam"
	"github.com/netipam/netipam/ipam/local"
	"github.com/netipam/netipam/server/api"
	"github.com/netipam/netipam/store"
)

// Client asks a running `netipam serve` over HTTP: ipam.Service is the
// API's light client (api.Client, which the CNI plugin uses alone); this
// adds what only the command line asks (gc, check, the reports), whose
// answers are in the store's and the use cases' terms.
type Client struct {
	*api.Client
}

var (
	_ ipam.Service    = (*Client)(nil)
	_ local.GCService = (*Client)(nil)
	_ local.Reporter  = (*Client)(nil)
	_ local.Checker   = (*Client)(nil)
)

// NewClient returns a client for unix:///path/to.sock, http://host:port or
// https://host:port; token, when not empty, is sent as a bearer token.
func NewClient(rawURL, token string) (*Client, error) {
	return NewClientWith(rawURL, token, api.ClientOptions{})
}

// NewClientWith is NewClient with options.
func NewClientWith(rawURL, token string, o api.ClientOptions) (*Client, error) {
	c, err := api.NewClientWith(rawURL, token, o)
	if err != nil {
		return nil, err
	}
	return &Client{c}, nil
}

// Check asks the server to check its store.
func (c *Client) Check(ctx context.Context) (store.CheckReport, error) {
	var out store.CheckReport
	err := c.Do(ctx, http.MethodGet, "/v1/check", nil, &out)
	return out, err
}

// GC asks the server to run gc.
func (c *Client) GC(ctx context.Context, req local.GCRequest) (local.GCReport, error) {
	var out local.GCReport
	if err := c.Do(ctx, http.MethodPost, "/v1/gc", req, &out); err != nil {
		return local.GCReport{}, err
	}
	return out, nil
}

// NodeCounts asks the server.
func (c *Client) NodeCounts(ctx context.Context) ([]store.NodeCount, error) {
	var out []store.NodeCount
	if err := c.Do(ctx, http.MethodGet, "/v1/report/nodes", nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// GCCandidates asks the server.
func (c *Client) GCCandidates(ctx context.Context, node string) ([]store.GCCandidate, error) {
	var out []store.GCCandidate
	path := "/v1/report/leaks"
	if node != "" {
		path += "?" + url.Values{"node": {node}}.Encode()
	}
	if err := c.Do(ctx, http.MethodGet, path, nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// Forecast asks the server.
func (c *Client) Forecast(ctx context.Context, req local.ForecastRequest) (local.ForecastReport, error) {
	var out local.ForecastReport
	q := url.Values{"window": {req.Window}, "threshold": {strconv.FormatFloat(req.Threshold, 'g', -1, 64)}}
	if err := c.Do(ctx, http.MethodGet, "/v1/report/forecast?"+q.Encode(), nil, &out); err != nil {
		return local.ForecastReport{}, err
	}
	return out, nil
}

// ExpandTOR asks the server to grow a TOR now.
func (c *Client) ExpandTOR(ctx context.Context, req local.ExpandTORRequest) ([]local.ExpandResult, error) {
	var out expansionJSON
	if err := c.Do(ctx, http.MethodPost, "/v1/expand", req, &out); err != nil {
		return nil, err
	}
	errs := make([]error, len(out.Errors))
	for i, e := range out.Errors {
		errs[i] = e.Err()
	}
	return out.Results, errors.Join(errs...)
}

// Reclaim asks the server to return empty expanded blocks.
func (c *Client) Reclaim(ctx context.Context, req local.ReclaimRequest) (local.ReclaimReport, error) {
	var out local.ReclaimReport
	if err := c.Do(ctx, http.MethodPost, "/v1/reclaim", req, &out); err != nil {
		return local.ReclaimReport{}, err
	}
	return out, nil
}

// KubeImport asks the server to sync the nodes of a Kubernetes cluster.
func (c *Client) KubeImport(ctx context.Context, req local.KubeImportRequest) (local.KubeImportReport, error) {
	var out local.KubeImportReport
	if err := c.Do(ctx, http.MethodPost, "/v1/nodes/kubernetes", req, &out); err != nil {
		return local.KubeImportReport{}, err
	}
	return out, nil
}
