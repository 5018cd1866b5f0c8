//go:build !netipam_testclock

package store

import "time"

// clockFromEnv gives the system's clock: without the build tag
// netipam_testclock, EnvNow is ignored.
func clockFromEnv() (func() time.Time, error) { return time.Now, nil }
