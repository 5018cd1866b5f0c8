package local

import (
	"errors"
	"strings"
	"testing"

	"github.com/netipam/netipam/topo"
)

// A request's source and label reach messages on every path (the CLI, the
// API): too long or holding a control character, they are refused.
func TestKubeImportRequestValidate(t *testing.T) {
	ok := KubeImportRequest{Source: "nodes.json", TORLabel: "topology.example.com/tor"}
	if err := ok.Validate(); err != nil {
		t.Fatalf("a plain request: %v", err)
	}
	for _, bad := range []KubeImportRequest{
		{Source: "nodes\x1b[2J.json", TORLabel: "tor"},
		{Source: "nodes.json", TORLabel: "tor\u202e"},
		{Source: strings.Repeat("a", maxKubeSource+1), TORLabel: "tor"},
		{Source: "nodes.json", TORLabel: strings.Repeat("a", maxKubeTORLabel+1)},
	} {
		err := bad.Validate()
		if !errors.Is(err, topo.ErrInvalid) {
			t.Errorf("Validate(%.40q, %.40q) = %v, want invalid", bad.Source, bad.TORLabel, err)
		}
		if err != nil && strings.ContainsAny(err.Error(), "\x1b\u202e") {
			t.Errorf("the message echoes the control character: %q", err)
		}
	}
}
