// Package rqlitetest starts real rqlite clusters (rqlited processes) on the
// loopback interface for tests.
//
// The rqlited binary is taken from $NETIPAM_RQLITED, else from
// $HOME/.cache/netipam/bin/rqlited; `make rqlited` builds it there. Start
// never skips: a missing binary fails the test, with the command that
// builds it. Skipping is the caller's rule: a test that needs a cluster
// skips itself under -short (if testing.Short() { t.Skip(...) }), so that
// `go test -short` and `make test-unit` run without rqlited, and runs
// (and fails without the binary) otherwise, as in `make test`.
//
// Only 127.0.0.1 is ever used, every wait is bounded in time and count, and
// every process is SIGKILLed and reaped by t.Cleanup. The rqlited logs live in
// the test's temp dir and are dumped with t.Logf when the test fails. It is
// for tests only: nothing but _test.go files imports it.
package rqlitetest
