package store

import (
	"math/bits"
	"strings"

	"github.com/netipam/netipam/topo"
)

// rowsChunk bounds the rows of one multi-row INSERT: 13 parameters each
// stay below SQLite's 32766 bound parameters per statement. Chunks are
// powers of two, so that a few statement texts cover every group size and
// stay prepared (Stmt.Reuse).
const rowsChunk = 1024

// insertMixedRows gives the statements that record allocations that share
// nothing but their table (those of many callers of a group commit): one
// multi-row INSERT of the rows and one of their "allocate" events per
// chunk of rowsChunk, instead of two statements per caller. Every row
// passes every constraint and trigger; one refused row refuses the batch.
func (s *Store) insertMixedRows(allocs []topo.Allocation) []Stmt {
	now := s.stamp()
	var out []Stmt
	for rest := allocs; len(rest) > 0; {
		n := min(1<<(bits.Len(uint(len(rest)))-1), rowsChunk)
		chunk := rest[:n]
		rest = rest[n:]
		argsA := make([]any, 0, 13*n)
		argsE := make([]any, 0, 12*n)
		for _, a := range chunk {
			var container any
			if a.Container != "" {
				container = a.Container
			}
			argsA = append(argsA, a.Subnet.String(), int64(topo.FamilyOf(a.Address)), a.Purpose, a.Node, a.TOR,
				container, a.IfName, a.Network, a.PodNS, a.PodName, now, a.Address.String(), addrKey(a.Address))
			argsE = append(argsE, now, s.Actor, a.Subnet.String(), a.Node, a.TOR, a.Purpose, a.Container,
				a.IfName, a.Network, a.PodNS, a.PodName, a.Address.String())
		}
		rowsA := Q(`INSERT INTO allocations (subnet, family, purpose, node_id, tor_id, container, ifname, network, pod_ns,
				pod_name, allocated_at, address, addr_key) VALUES `+
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?), ", n), ", "), argsA...)
		rowsE := Q(`INSERT INTO events (at, kind, actor, subnet, node_id, tor_id, purpose, container, ifname, network,
				pod_ns, pod_name, detail, address) VALUES `+
			strings.TrimSuffix(strings.Repeat("(?, 'allocate', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?), ", n), ", "), argsE...)
		rowsA.Reuse, rowsE.Reuse = true, true
		out = append(out, rowsA, rowsE)
	}
	return out
}
