// Package versionreply answers a container runtime's CNI_COMMAND=VERSION
// before the rest of the binary starts. Go initializes a package once its
// imports are; this one imports only os, so its init runs among the
// first, long before the packages that wait for net (the CNI library, the
// API client) and the heavy ones that sort before net (modernc's SQLite,
// protobuf). It must import nothing else: every import moves its init
// later. Reply is what the CNI library's skel prints for VERSION; cmd/cni's
// tests keep the two equal.
package versionreply

import "os"

// Reply is the VERSION result for the versions cmd/cni speaks.
const Reply = `{"cniVersion":"1.1.0","supportedVersions":["0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]}` + "\n"

func init() {
	if os.Getenv("CNI_COMMAND") == "VERSION" {
		os.Stdout.WriteString(Reply) //nolint:errcheck // nothing to tell if stdout is gone
		os.Exit(0)
	}
}
