// Package versionreply answers a container runtime's CNI_COMMAND=VERSION
// before the rest of the binary starts. Go initializes a package once its
// imports are; this one imports only syscall (not os, whose own
// imports start later), so its init runs among the first, long before the packages that wait for net (the CNI library, the
// API client) and the heavy ones that sort before net (modernc's SQLite,
// protobuf). It must import nothing else: every import moves its init
// later. Reply is what the CNI library's skel prints for VERSION; cmd/cni's
// tests keep the two equal.
package versionreply
