package cmd

import "github.com/netipam/netipam/alloc"

// usageCell is a use column's cell: the percentage.
func (a *app) usageCell(used uint64, capacity alloc.AddrCount) string { return percent(used, capacity) }
