//go:build netipam_testclock

package store

import (
	"fmt"
	"os"
	"time"

	"github.com/netipam/netipam/topo"
)

// clockFromEnv gives the clock EnvNow sets, or time.Now. Test builds only
// (build tag netipam_testclock).
func clockFromEnv() (func() time.Time, error) {
	v := os.Getenv(EnvNow)
	if v == "" {
		return time.Now, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return nil, fmt.Errorf("%s=%q is not an RFC 3339 time (e.g. 2026-01-02T15:04:05Z): %w", EnvNow, v, topo.ErrInvalid)
	}
	return func() time.Time { return t }, nil
}
