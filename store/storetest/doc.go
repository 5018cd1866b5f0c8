// Package storetest is the store's contract: one suite of behaviour that
// every backend (the SQLite file, an rqlite cluster) must pass, run by
// each backend's tests on a real store (no mock of the database).
//
// It is for tests only: nothing but _test.go files imports it. It uses
// the store's exported API only, with alloc and topo, never SQL of its own.
package storetest
