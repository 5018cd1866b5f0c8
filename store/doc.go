// Package store holds all of netipam's SQL: the schema's tables read and
// written in domain types, on either backend (an embedded SQLite file or an
// rqlite cluster), the migrations runner, the translation of each
// backend's errors into topo's error kinds, the ledger and its change
// feed, and the group committer. Every mutation is one atomic batch; every
// invariant is a constraint of the schema.
//
// It imports topo, migrations and outfile only, never alloc's policy, the
// server or the command line; it decides no allocation policy (which
// subnet, which address, when to expand: alloc's), it only stores and
// checks. No SQL is written outside this package.
package store
