package store

import (
	"context"
	"errors"
)

// openRqlite is replaced by the rqlite backend (cluster mode).
func openRqlite(ctx context.Context, hosts string) (Backend, error) {
	return nil, errors.New("rqlite backend: not built yet")
}
