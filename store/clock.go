package store

import (
	"fmt"
	"os"
	"time"

	"github.com/netipam/netipam/topo"
)

// EnvNow names the environment variable that sets the clock a process
// records in rows and events and measures ages against (grace periods,
// retention): an RFC 3339 time. It exists for tests and for replaying an
// operation as of a given time; unset, the clock is the system's.
const EnvNow = "NETIPAM_NOW"

// clockFromEnv gives the clock EnvNow sets, or time.Now.
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
