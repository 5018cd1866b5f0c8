// Package e2e holds netipam's whole-binary tests: each builds nothing of
// its own but runs the netipam binary that TestMain (harness_test.go)
// builds once from the module root, against stores in temporary
// directories, a real rqlite cluster, real CNI plugins and podman.
//
// Files are named by the role or feature they exercise:
//
//	harness_*   the shared harness: the binary, stores, the server, CNI, the cluster, podman
//	cli_*       the command line
//	cni_*       the CNI IPAM plugin
//	serve_*     netipam serve and its clients
//	cluster_*   a real rqlite cluster (skipped under -short)
//	runtime_*   a real container runtime (podman)
//	ops_*       operations: check, backup, events archive, gc, migration, forecasts
//	expand_*    subnet expansion, across roles
//	levels_*    pod and zone pools, across roles
//	*_bench_*   benchmarks (make bench); scale_bench: CNI and CLI calls on a 1M-allocation store
//
// Under -short only the smoke tests run, one or two per role
// (harness_short_test.go); `make test` runs every one.
//
// Run one with `go test -count=1 -run TestX ./e2e/`; tests that use only
// their own temporary store run in parallel.
package e2e
