package alloc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"net/netip"
	"slices"

	"github.com/netipam/netipam/topo"
)

// DenseLimit is the largest number of addresses a prefix may have for its
// Pool to use a Bitmap (128 KiB for 1<<20 addresses); larger prefixes use a
// Sparse set.
const DenseLimit = 1 << 20

var (
	// ErrFull is returned by Next when the pool has no free address.
	ErrFull = errors.New("no free address")
	// ErrTaken is returned by Take when the address is already held.
	ErrTaken = errors.New("address already taken")
	// ErrReserved is returned by Take for a network, broadcast, subnet-router
	// anycast, gateway or excluded address.
	ErrReserved = errors.New("address reserved")
)

// NotInRangeError reports an address outside the pool's prefix.
type NotInRangeError struct {
	Addr   netip.Addr
	Prefix netip.Prefix
}

func (e *NotInRangeError) Error() string {
	return fmt.Sprintf("%s is not in %s", e.Addr, e.Prefix)
}

// Is makes an address outside the subnet an invalid request (topo.Kinds).
func (e *NotInRangeError) Is(target error) bool { return target == topo.ErrInvalid }

// Pool hands out the addresses of one subnet. It never hands out the IPv4
// network and broadcast addresses, the IPv6 subnet-router anycast address
// (offset 0), the gateway, or any excluded address. Next moves a cursor on
// round-robin, so a just-released address is not handed out again until the
// cursor has gone round the whole subnet.
//
// Prefixes of at most DenseLimit addresses are kept in a Bitmap, larger ones
// (an IPv6 /64) in a Sparse set. Next, Take, Mark, Release and Held do not
// allocate (for a sparse pool, once its map has grown to the working size).
//
// A Pool is not safe for concurrent use: callers must serialise access.
type Pool struct {
	prefix  netip.Prefix
	gateway netip.Addr
	exclude []netip.Prefix // as given to NewPool (Defines)
	is4     bool
	base4   uint32   // IPv4 network address
	base16  [16]byte // IPv6 network address
	baseLo  uint64   // low 64 bits of the IPv6 network address
	last    uint64   // highest offset

	reserved []span  // sorted, disjoint, merged reserved offsets
	resv     *Bitmap // the reserved offsets of a dense pool, for a one-load check
	capacity uint64
	used     uint64
	cursor   uint64 // offset handed out last; Next searches after it

	dense  *Bitmap // nil for sparse pools
	sparse *Sparse // nil for dense pools

	// known is nil for a pool rebuilt in full; a partial pool lists the
	// stretches it has read, and unseen counts what the ledger holds that
	// it has not read (window.go).
	known  stretches
	unseen uint64
}

// NewPool returns an empty pool for prefix (masked to its network address).
// The gateway, if valid, must lie in prefix and is never handed out; nor is
// any address of the exclude prefixes that lies in prefix (excludes outside
// prefix are ignored). IPv4 prefixes longer than /30, IPv6 prefixes shorter
// than /64 and IPv6 /128 are refused.
func NewPool(prefix netip.Prefix, gateway netip.Addr, exclude []netip.Prefix) (*Pool, error) {
	if !prefix.IsValid() {
		return nil, fmt.Errorf("new pool: invalid prefix %s", prefix)
	}
	prefix = prefix.Masked()
	p := &Pool{prefix: prefix, gateway: gateway, exclude: slices.Clone(exclude), is4: prefix.Addr().Is4()}
	plen := prefix.Bits()
	var reserved []span
	if p.is4 {
		if plen > 30 {
			return nil, fmt.Errorf("new pool %s: an IPv4 prefix must be /30 or shorter", prefix)
		}
		b := prefix.Addr().As4()
		p.base4 = binary.BigEndian.Uint32(b[:])
		p.last = uint64(1)<<(32-plen) - 1
		reserved = append(reserved, span{0, 0}, span{p.last, p.last})
	} else {
		if plen < 64 {
			return nil, fmt.Errorf("new pool %s: an IPv6 prefix must be /64 or longer", prefix)
		}
		if plen > 127 {
			return nil, fmt.Errorf("new pool %s: an IPv6 prefix must be /127 or shorter", prefix)
		}
		p.base16 = prefix.Addr().As16()
		p.baseLo = binary.BigEndian.Uint64(p.base16[8:])
		p.last = math.MaxUint64 >> (plen - 64)
		reserved = append(reserved, span{0, 0})
	}
	if gateway.IsValid() {
		off, ok := p.offset(gateway)
		if !ok {
			return nil, fmt.Errorf("new pool %s: gateway: %w", prefix, &NotInRangeError{gateway, prefix})
		}
		reserved = append(reserved, span{off, off})
	}
	for _, x := range exclude {
		if !x.IsValid() {
			return nil, fmt.Errorf("new pool %s: invalid exclude prefix %s", prefix, x)
		}
		x = x.Masked()
		if !x.Overlaps(prefix) {
			continue
		}
		if x.Bits() <= plen { // x covers the whole pool
			reserved = append(reserved, span{0, p.last})
			continue
		}
		// x lies inside the pool and is longer than it, so it has fewer than
		// 64 host bits.
		lo, _ := p.offset(x.Addr())
		hostBits := x.Addr().BitLen() - x.Bits()
		reserved = append(reserved, span{lo, lo + (uint64(1)<<hostBits - 1)})
	}
	p.reserved = mergeSpans(reserved)

	// The capacity is the sum of the gaps between the reserved spans. Offset
	// 0 is always reserved, so neither a gap nor the sum reaches 2^64.
	next, tail := uint64(0), true
	for _, r := range p.reserved {
		p.capacity += r.lo - next
		if r.hi == p.last {
			tail = false
			break
		}
		next = r.hi + 1
	}
	if tail {
		p.capacity += p.last - next + 1
	}

	if p.last < DenseLimit {
		// Reserved offsets are set in dense, so that NextClear skips them, and
		// in resv, so that they can be told apart from held ones.
		p.dense, p.resv = NewBitmap(p.last+1), NewBitmap(p.last+1)
		for _, r := range p.reserved {
			for i := r.lo; i <= r.hi; i++ {
				p.dense.Set(i)
				p.resv.Set(i)
			}
		}
	} else {
		p.sparse = NewSparse(p.last)
		for _, r := range p.reserved {
			p.sparse.Reserve(r.lo, r.hi)
		}
	}
	p.cursor = p.last // the first Next starts at offset 0
	return p, nil
}

// offset returns a's offset from the network address, and false if a is not
// in the prefix. It agrees with p.prefix.Contains(a): an IPv4-mapped IPv6
// address is not in an IPv4 prefix, nor an address with a zone in an IPv6
// prefix. The IPv4 path is small enough to be inlined.
func (p *Pool) offset(a netip.Addr) (uint64, bool) {
	if p.is4 && a.Is4() {
		b := a.As4()
		off := uint64(binary.BigEndian.Uint32(b[:]) - p.base4)
		return off, off <= p.last
	}
	return p.offset6(a)
}

func (p *Pool) offset6(a netip.Addr) (uint64, bool) {
	if p.is4 || !a.Is6() || a.Zone() != "" {
		return 0, false
	}
	b := a.As16()
	if binary.BigEndian.Uint64(b[:8]) != binary.BigEndian.Uint64(p.base16[:8]) {
		return 0, false
	}
	off := binary.BigEndian.Uint64(b[8:]) - p.baseLo
	return off, off <= p.last
}

// addr returns the address at offset off.
func (p *Pool) addr(off uint64) netip.Addr {
	if p.is4 {
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], p.base4+uint32(off))
		return netip.AddrFrom4(b)
	}
	b := p.base16
	binary.BigEndian.PutUint64(b[8:], p.baseLo+off)
	return netip.AddrFrom16(b)
}

// state reports whether the in-range offset off is held, and whether it is
// reserved.
func (p *Pool) state(off uint64) (held, reserved bool) {
	if d := p.dense; d != nil {
		if !d.Test(off) {
			return false, false
		}
		r := p.resv.Test(off)
		return !r, r
	}
	if _, ok := p.sparse.held[off]; ok {
		return true, false // Sparse never holds a reserved offset
	}
	_, r := spanAt(p.reserved, off)
	return false, r
}

// hold marks the free, unreserved, in-range offset off held.
func (p *Pool) hold(off uint64) {
	if d := p.dense; d != nil {
		d.Set(off)
	} else {
		p.sparse.held[off] = struct{}{}
	}
	p.used++
}

// Next returns the first free address after the cursor (wrapping around),
// marks it held and moves the cursor to it. It returns ErrFull when no
// address is free.
func (p *Pool) Next() (netip.Addr, error) {
	if p.used >= p.capacity {
		return netip.Addr{}, ErrFull
	}
	from := p.cursor + 1 // wraps to 0 past the end of a /64
	if p.sparse != nil {
		off, ok := p.sparse.take(from)
		if !ok {
			return netip.Addr{}, ErrFull
		}
		p.used++
		p.cursor = off
		return p.addr(off), nil
	}
	d := p.dense
	var off uint64
	found := false
	// Fast path: a clear bit after from in its own word. The bits past Len()
	// are set, so they are never found.
	if i := from >> 6; i < uint64(len(d.words)) {
		if w := d.words[i] | (uint64(1)<<(from&63) - 1); w != ^uint64(0) {
			off, found = i<<6+uint64(bits.TrailingZeros64(^w)), true
		}
	}
	if !found {
		if off, found = d.NextClear(from); !found {
			return netip.Addr{}, ErrFull
		}
	}
	// off is known to be clear: no Test as in Set.
	d.words[off>>6] |= uint64(1) << (off & 63)
	d.count++
	p.used++
	p.cursor = off
	if p.is4 { // p.addr, inlined by hand for the hot path
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], p.base4+uint32(off))
		return netip.AddrFrom4(b), nil
	}
	return p.addr(off), nil
}

// Take marks the address a held. It returns a *NotInRangeError if a is not
// in the prefix, ErrReserved if a is never handed out, and ErrTaken if a is
// already held. Take does not move the cursor.
func (p *Pool) Take(a netip.Addr) error {
	off, ok := p.offset(a)
	if !ok {
		return &NotInRangeError{Addr: a, Prefix: p.prefix}
	}
	held, reserved := p.state(off)
	switch {
	case reserved:
		return ErrReserved
	case held:
		return ErrTaken
	}
	p.hold(off)
	return nil
}

// Mark marks the address a held whether or not it was held already, as when
// a pool is rebuilt from the database or the database says another allocator
// holds a. Addresses outside the prefix and reserved addresses are ignored.
func (p *Pool) Mark(a netip.Addr) {
	off, ok := p.offset(a)
	if !ok {
		return
	}
	if held, reserved := p.state(off); !held && !reserved {
		p.hold(off)
		if p.unseen > 0 {
			p.unseen--
		}
	}
}

// Release frees the address a. Releasing an address that is not held,
// reserved or outside the prefix is a no-op.
func (p *Pool) Release(a netip.Addr) {
	var off uint64
	if p.is4 && a.Is4() { // p.offset, inlined by hand for the hot path
		b := a.As4()
		if off = uint64(binary.BigEndian.Uint32(b[:]) - p.base4); off > p.last {
			return
		}
	} else {
		var ok bool
		if off, ok = p.offset6(a); !ok {
			return
		}
	}
	if d := p.dense; d != nil {
		if d.Test(off) && !p.resv.Test(off) {
			d.Clear(off)
			p.used--
		}
		return
	}
	// Sparse never holds a reserved offset: one map operation is enough.
	n := len(p.sparse.held)
	delete(p.sparse.held, off)
	if len(p.sparse.held) < n {
		p.used--
	}
}

// Held reports whether the address a is held. Reserved addresses and
// addresses outside the prefix are not held.
func (p *Pool) Held(a netip.Addr) bool {
	off, ok := p.offset(a)
	if !ok {
		return false
	}
	held, _ := p.state(off)
	return held
}

// Reserved reports whether the address a is in the prefix but never handed
// out (network, broadcast, subnet-router anycast, gateway, excluded).
func (p *Pool) Reserved(a netip.Addr) bool {
	off, ok := p.offset(a)
	if !ok {
		return false
	}
	_, reserved := p.state(off)
	return reserved
}

// SetCursor makes the next Next start after a. Addresses outside the prefix
// are ignored.
func (p *Pool) SetCursor(a netip.Addr) {
	if off, ok := p.offset(a); ok {
		p.cursor = off
	}
}

// Used returns the number of held addresses (for a partial pool, also
// those counted but not read).
func (p *Pool) Used() uint64 { return p.used + p.unseen }

// Capacity returns the number of addresses the pool can hand out: the size
// of the prefix minus the reserved addresses.
func (p *Pool) Capacity() uint64 { return p.capacity }

// Free returns Capacity() - Used().
func (p *Pool) Free() uint64 { return p.capacity - min(p.Used(), p.capacity) }

// Full reports whether no address is free.
func (p *Pool) Full() bool { return p.Used() >= p.capacity }

// Ratio returns Used()/Capacity(), and 1 for a pool whose every address is
// reserved.
func (p *Pool) Ratio() float64 {
	if p.capacity == 0 {
		return 1
	}
	return float64(p.Used()) / float64(p.capacity)
}

// Prefix returns the pool's (masked) prefix.
func (p *Pool) Prefix() netip.Prefix { return p.prefix }

// Gateway returns the gateway given to NewPool (the zero Addr if none).
func (p *Pool) Gateway() netip.Addr { return p.gateway }
