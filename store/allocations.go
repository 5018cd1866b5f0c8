package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/netip"
	"strings"

	"github.com/netipam/netipam/topo"
)

// filterWhere is the filter's SQL condition and its arguments.
func filterWhere(f topo.AllocationFilter) (string, []any) {
	w, args := "1 = 1", []any{}
	add := func(cond string, v any) { w, args = w+" AND "+cond, append(args, v) }
	if f.Addresses != nil {
		w += " AND address IN (" + marks(len(f.Addresses)) + ")"
		for _, a := range f.Addresses {
			args = append(args, a.String())
		}
	}
	if f.Node != nil {
		add("node_id = ?", *f.Node)
	}
	if f.TOR != nil {
		add("tor_id = ?", *f.TOR)
	}
	if f.Subnet != nil {
		add("subnet = ?", f.Subnet.Masked().String())
	}
	switch {
	case f.Container == nil:
	case *f.Container == "":
		w += " AND container IS NULL"
	default:
		add("container = ?", *f.Container)
	}
	if f.IfName != nil {
		add("ifname = ?", *f.IfName)
	}
	if f.Network != nil {
		add("network = ?", *f.Network)
	}
	if f.NotOwners != nil {
		// One row-value list, not a clause per attachment: a node's
		// hundreds of attachments stay far below SQLite's expression depth.
		w += " AND container IS NOT NULL"
		if len(f.NotOwners) > 0 {
			w += " AND (container, ifname) NOT IN (VALUES " +
				strings.TrimSuffix(strings.Repeat("(?, ?), ", len(f.NotOwners)), ", ") + ")"
			for _, o := range f.NotOwners {
				args = append(args, o.Container, o.IfName)
			}
		}
	}
	return w, args
}

const allocationCols = `address, subnet, purpose, node_id, tor_id,
	COALESCE((SELECT gateway FROM subnets s WHERE s.cidr = subnet), ''),
	COALESCE(container, ''), ifname, network, pod_ns, pod_name, allocated_at`

func scanAllocation(scan func(...any) error) (topo.Allocation, error) {
	var a topo.Allocation
	var addr, subnet, gw, at string
	if err := scan(&addr, &subnet, &a.Purpose, &a.Node, &a.TOR, &gw, &a.Container, &a.IfName,
		&a.Network, &a.PodNS, &a.PodName, &at); err != nil {
		return a, err
	}
	var err error
	if a.Address, err = netip.ParseAddr(addr); err != nil {
		return a, fmt.Errorf("stored address %q: %w", addr, err)
	}
	if a.Subnet, err = netip.ParsePrefix(subnet); err != nil {
		return a, fmt.Errorf("stored subnet %q: %w", subnet, err)
	}
	if gw != "" {
		if a.Gateway, err = netip.ParseAddr(gw); err != nil {
			return a, fmt.Errorf("stored gateway %q: %w", gw, err)
		}
	}
	a.At = parseStamp(at)
	return a, nil
}

// Allocations lists allocations in address order.
func (s *Store) Allocations(ctx context.Context, f topo.AllocationFilter) ([]topo.Allocation, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	w, args := filterWhere(f)
	var out []topo.Allocation
	st := Q(`SELECT `+allocationCols+` FROM allocations WHERE `+w+` ORDER BY addr_key`, args...)
	// The filter's shape, not its values, makes the text: a few shapes
	// recur on every request (Owned), so they stay prepared; lists of
	// addresses or owners make texts of every length.
	st.Reuse = f.Addresses == nil && f.NotOwners == nil
	err := s.each(ctx, st,
		func(scan func(...any) error) error {
			a, err := scanAllocation(scan)
			out = append(out, a)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("list allocations: %w", err)
	}
	return out, nil
}

// Held calls fn with every allocated address of the given subnets: what a
// pool is rebuilt from. It reads the subnet index alone (addr_key).
func (s *Store) Held(ctx context.Context, subnets []netip.Prefix, fn func(subnet netip.Prefix, a netip.Addr)) error {
	if len(subnets) == 0 {
		return nil
	}
	args := make([]any, len(subnets))
	byText := make(map[string]netip.Prefix, len(subnets))
	for i, p := range subnets {
		args[i] = p.String()
		byText[p.String()] = p
	}
	err := s.each(ctx, Q(`SELECT subnet, addr_key FROM allocations WHERE subnet IN (`+marks(len(args))+`)`, args...),
		func(scan func(...any) error) error {
			var sn, key string
			if err := scan(&sn, &key); err != nil {
				return err
			}
			a, err := keyAddr(key)
			if err != nil {
				return err
			}
			fn(byText[sn], a)
			return nil
		})
	if err != nil {
		return fmt.Errorf("read allocated addresses: %w", err)
	}
	return nil
}

// HeldFrom lists, in address order, at most limit allocated addresses of a
// subnet from the address from on: the stretch of a subnet a one-shot
// allocator looks at, read from the index in proportion to limit, not to the
// subnet's use.
func (s *Store) HeldFrom(ctx context.Context, subnet netip.Prefix, from netip.Addr, limit int) ([]netip.Addr, error) {
	var out []netip.Addr
	err := s.each(ctx, Q(`SELECT addr_key FROM allocations WHERE subnet = ? AND addr_key >= ? ORDER BY addr_key LIMIT ?`,
		subnet.String(), addrKey(from), int64(limit)),
		func(scan func(...any) error) error {
			var key string
			if err := scan(&key); err != nil {
				return err
			}
			a, err := keyAddr(key)
			out = append(out, a)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("read allocated addresses of %s from %s: %w", subnet, from, err)
	}
	return out, nil
}

// Counts gives the number of allocated addresses of each subnet (kept by
// the schema in subnet_counts: one row read per subnet).
func (s *Store) Counts(ctx context.Context, subnets []netip.Prefix) (map[netip.Prefix]uint64, error) {
	out := make(map[netip.Prefix]uint64, len(subnets))
	for _, p := range subnets {
		var n int64
		if err := s.one(ctx, Q(`SELECT COALESCE((SELECT used FROM subnet_counts WHERE subnet = ?), 0)`, p.String()), &n); err != nil {
			return nil, fmt.Errorf("count allocations of %s: %w", p, err)
		}
		out[p] = uint64(n)
	}
	return out, nil
}

// Cursors gives, for each subnet that has one, the address allocated last:
// a pool resumes its round-robin after it.
func (s *Store) Cursors(ctx context.Context, subnets []netip.Prefix) (map[netip.Prefix]netip.Addr, error) {
	out := make(map[netip.Prefix]netip.Addr, len(subnets))
	for _, p := range subnets {
		var addr string
		err := s.one(ctx, Q(`SELECT address FROM events WHERE subnet = ? AND kind = 'allocate'
			ORDER BY id DESC LIMIT 1`, p.String()), &addr)
		if err == ErrNotFound {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read cursor of %s: %w", p, err)
		}
		if a, err := netip.ParseAddr(addr); err == nil {
			out[p] = a
		}
	}
	return out, nil
}

// InsertAllocations records allocations and their events in one atomic
// batch: all or none. A duplicate address or owner (container, ifname,
// purpose, family) fails with a *ConflictError; the schema also refuses an
// address outside a subnet of the node's TOR, a reserved address, the
// gateway, and network or broadcast addresses.
//
// Allocations that share everything but their address (all of an `alloc
// --count N` in one subnet) go in one INSERT ... SELECT over a VALUES list
// of (address, key) pairs, followed by one INSERT of their events: a batch
// is two statements per group of up to insertChunk addresses, not two per
// address, and carries three parameters per address instead of 25. Every
// row still passes every constraint and trigger; what a large batch no
// longer pays N times is the statement and parameter handling (on rqlite:
// JSON parsing, the Raft log entry's size and its compression).
func (s *Store) InsertAllocations(ctx context.Context, allocs []topo.Allocation) error {
	if _, err := s.db.Exec(ctx, s.insertStmts(allocs)...); err != nil {
		return fmt.Errorf("record %d allocation(s): %w", len(allocs), err)
	}
	return nil
}

// insertStmts gives the batch that records allocations (InsertAllocations).
func (s *Store) insertStmts(allocs []topo.Allocation) []Stmt {
	var b []Stmt
	for _, g := range groupAllocations(allocs) {
		for rest := g; len(rest) > 0; {
			n := min(len(rest), insertChunk)
			b = append(b, s.insertAllocationRows(rest[:n])...)
			rest = rest[n:]
		}
	}
	return b
}

// insertChunk bounds the addresses of one statement: two parameters each
// stay well below SQLite's 32766 bound parameters per statement.
const insertChunk = 4000

// groupAllocations splits allocations into runs that share all but their
// address, keeping the order of first appearance.
func groupAllocations(allocs []topo.Allocation) [][]topo.Allocation {
	type key struct {
		subnet                     netip.Prefix
		family                     topo.Family
		purpose, node, tor         string
		container, ifname, network string
		ns, pod                    string
	}
	idx := map[key]int{}
	var out [][]topo.Allocation
	for _, a := range allocs {
		k := key{a.Subnet, topo.FamilyOf(a.Address), a.Purpose, a.Node, a.TOR, a.Container, a.IfName, a.Network,
			a.PodNS, a.PodName}
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], a)
	}
	return out
}

// insertAllocationRows gives the two statements that record allocations
// sharing all but their address: the rows and their "allocate" events.
func (s *Store) insertAllocationRows(allocs []topo.Allocation) []Stmt {
	a0 := allocs[0]
	var container any
	if a0.Container != "" {
		container = a0.Container
	}
	now := s.stamp()
	argsA := append(make([]any, 0, 11+2*len(allocs)), a0.Subnet.String(), int64(topo.FamilyOf(a0.Address)),
		a0.Purpose, a0.Node, a0.TOR, container, a0.IfName, a0.Network, a0.PodNS, a0.PodName, now)
	argsE := append(make([]any, 0, 11+len(allocs)), now, s.Actor, a0.Subnet.String(),
		a0.Node, a0.TOR, a0.Purpose, a0.Container, a0.IfName, a0.Network, a0.PodNS, a0.PodName)
	for _, a := range allocs {
		argsA = append(argsA, a.Address.String(), addrKey(a.Address))
		argsE = append(argsE, a.Address.String())
	}
	if len(allocs) == 1 { // the common case (a container's address): plain VALUES, less to compile
		return []Stmt{
			Q(`INSERT INTO allocations (subnet, family, purpose, node_id, tor_id, container, ifname, network, pod_ns,
				pod_name, allocated_at, address, addr_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, argsA...),
			Q(`INSERT INTO events (at, kind, actor, subnet, node_id, tor_id, purpose, container, ifname, network,
				pod_ns, pod_name, detail, address) VALUES (?, 'allocate', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?)`, argsE...),
		}
	}
	rowsA := strings.TrimSuffix(strings.Repeat("(?, ?), ", len(allocs)), ", ")
	rowsE := strings.TrimSuffix(strings.Repeat("(?), ", len(allocs)), ", ")
	return []Stmt{
		Q(`INSERT INTO allocations (subnet, family, purpose, node_id, tor_id, container, ifname, network, pod_ns,
			pod_name, allocated_at, address, addr_key)
			SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, column1, column2 FROM (VALUES `+rowsA+`)`, argsA...),
		Q(`INSERT INTO events (at, kind, actor, subnet, node_id, tor_id, purpose, container, ifname, network,
			pod_ns, pod_name, detail, address)
			SELECT ?, 'allocate', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', column1 FROM (VALUES `+rowsE+`)`, argsE...),
	}
}

// Release frees the allocations a filter selects, in one atomic batch that
// first copies them to the ledger (kind "release" or "gc") and then deletes
// them, and returns what it freed. Releasing what is not held frees nothing
// and is no error.
func (s *Store) Release(ctx context.Context, f topo.AllocationFilter, kind string) ([]topo.Allocation, error) {
	stmts, token, err := s.releaseStmts(f, kind)
	if err != nil {
		return nil, err
	}
	if _, err := s.db.Exec(ctx, stmts...); err != nil {
		return nil, fmt.Errorf("release: %w", err)
	}
	return s.readReleased(ctx, token)
}

// releaseStmts gives the batch of one release (copy to the ledger, marked
// with a token of its own, then delete) and the token.
func (s *Store) releaseStmts(f topo.AllocationFilter, kind string) ([]Stmt, string, error) {
	if err := f.Validate(); err != nil {
		return nil, "", err
	}
	w, args := filterWhere(f)
	token, err := releaseToken()
	if err != nil {
		return nil, "", err
	}
	copyArgs := append([]any{s.stamp(), kind, s.Actor, token}, args...)
	return []Stmt{
		Q(`INSERT INTO events (at, kind, actor, address, subnet, node_id, tor_id, purpose, container, ifname,
			network, pod_ns, pod_name, detail)
			SELECT ?, ?, ?, address, subnet, node_id, tor_id, purpose, COALESCE(container, ''), ifname,
			network, pod_ns, pod_name, ? FROM allocations WHERE `+w, copyArgs...),
		Q(`DELETE FROM allocations WHERE `+w, args...),
	}, token, nil
}

// readReleased reads back, by its token, what one release freed.
func (s *Store) readReleased(ctx context.Context, token string) ([]topo.Allocation, error) {
	evs, err := s.released(ctx, token)
	if err != nil {
		return nil, fmt.Errorf("read what was released: %w", err)
	}
	out := make([]topo.Allocation, 0, len(evs))
	for _, e := range evs {
		a := topo.Allocation{Purpose: e.Purpose, Node: e.Node, TOR: e.TOR, Container: e.Container,
			IfName: e.IfName, Network: e.Network, PodNS: e.PodNS, PodName: e.PodName, At: e.At}
		a.Address, _ = netip.ParseAddr(e.Address)
		a.Subnet, _ = netip.ParsePrefix(e.Subnet)
		out = append(out, a)
	}
	return out, nil
}

// releaseToken marks the ledger rows of one release so that exactly those
// can be read back (IDs come from Go, never from SQL).
func releaseToken() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("release token: %w", err)
	}
	return "release:" + hex.EncodeToString(b[:]), nil
}

// Owned lists what an attachment holds, on whichever node: the caller
// decides what a holder on another node means.
func (s *Store) Owned(ctx context.Context, a topo.Attachment) ([]topo.Allocation, error) {
	return s.Allocations(ctx, topo.AllocationFilter{Network: &a.Network, Container: &a.Container, IfName: &a.IfName})
}
