package topo

import (
	"regexp"
	"sync"
)

// lazyRegexp compiles a pattern on first use, not at start-up: every CNI
// plugin run starts the binary, and most never validate anything.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
