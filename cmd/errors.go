package cmd

import (
	"github.com/netipam/netipam/topo"
)

func topoNotFound(format string, args ...any) error {
	return topo.Errorf(topo.ErrNotFound, format, args...)
}
