package server

import (
	"context"
	"net/http"

	"github.com/netipam/netipam/store"
)

// Check asks the server to check its store.
func (c *Client) Check(ctx context.Context) (store.CheckReport, error) {
	var out store.CheckReport
	err := c.do(ctx, http.MethodGet, "/v1/check", nil, &out)
	return out, err
}
