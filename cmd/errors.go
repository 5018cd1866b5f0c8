package cmd

import (
	"fmt"

	"github.com/netipam/netipam/topo"
)

func topoNotFound(format string, args ...any) error {
	return fmt.Errorf(format+": %w", append(args, topo.ErrNotFound)...)
}
