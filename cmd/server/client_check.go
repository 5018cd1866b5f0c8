package server

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/netipam/netipam/store"
)

// Check asks the server to check its store.
func (c *Client) Check(ctx context.Context, threshold float64) (store.CheckReport, error) {
	var out store.CheckReport
	path := "/v1/check?" + url.Values{"threshold": {strconv.FormatFloat(threshold, 'g', -1, 64)}}.Encode()
	err := c.do(ctx, http.MethodGet, path, nil, &out)
	return out, err
}
