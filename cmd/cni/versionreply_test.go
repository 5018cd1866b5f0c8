package cni

import (
	"bytes"
	"testing"

	"github.com/netipam/netipam/cmd/cni/versionreply"
)

// TestVersionReplyIsSkels: the early VERSION answer is exactly what the
// CNI library prints for the versions netipam speaks.
func TestVersionReplyIsSkels(t *testing.T) {
	var b bytes.Buffer
	if err := versions.Encode(&b); err != nil {
		t.Fatal(err)
	}
	if b.String() != versionreply.Reply {
		t.Fatalf("versionreply.Reply is %q, the CNI library says %q", versionreply.Reply, b.String())
	}
}
