package alloc

import "math/bits"

// Bitmap is a dense set of offsets in [0, Len()), one bit per offset.
// Every method runs without allocating. A Bitmap is not safe for concurrent
// use.
type Bitmap struct {
	words []uint64
	n     uint64
	count uint64
}

// NewBitmap returns an empty Bitmap over offsets [0, n).
func NewBitmap(n uint64) *Bitmap {
	b := &Bitmap{words: make([]uint64, (n+63)/64), n: n}
	// The bits past n in the last word are kept set so that the search never
	// has to test against n.
	if r := n & 63; r != 0 {
		b.words[len(b.words)-1] = ^uint64(0) << r
	}
	return b
}

// Len returns the number of offsets the Bitmap covers.
func (b *Bitmap) Len() uint64 { return b.n }

// Count returns the number of set offsets.
func (b *Bitmap) Count() uint64 { return b.count }

// Set sets offset i. Offsets outside [0, Len()) are ignored.
func (b *Bitmap) Set(i uint64) {
	if i >= b.n {
		return
	}
	w := &b.words[i>>6]
	m := uint64(1) << (i & 63)
	if *w&m == 0 {
		*w |= m
		b.count++
	}
}

// Clear clears offset i. Clearing an offset that is not set, or is outside
// [0, Len()), is a no-op.
func (b *Bitmap) Clear(i uint64) {
	if i >= b.n {
		return
	}
	w := &b.words[i>>6]
	m := uint64(1) << (i & 63)
	if *w&m != 0 {
		*w &^= m
		b.count--
	}
}

// Test reports whether offset i is set. Offsets outside [0, Len()) are
// reported as not set.
func (b *Bitmap) Test(i uint64) bool {
	if i >= b.n {
		return false
	}
	return b.words[i>>6]&(uint64(1)<<(i&63)) != 0
}

// NextClear returns the first clear offset at or after from, wrapping around
// to 0; a from at or past Len() starts at 0. It returns false when every
// offset is set.
func (b *Bitmap) NextClear(from uint64) (uint64, bool) {
	if b.count == b.n {
		return 0, false
	}
	if from >= b.n {
		from = 0
	}
	i := from >> 6
	// Pretend the bits below from in its word are set.
	if w := b.words[i] | (uint64(1)<<(from&63) - 1); w != ^uint64(0) {
		return i<<6 + uint64(bits.TrailingZeros64(^w)), true
	}
	for j, w := range b.words[i+1:] {
		if w != ^uint64(0) {
			return (i+1+uint64(j))<<6 + uint64(bits.TrailingZeros64(^w)), true
		}
	}
	// Wrap around: word i is searched whole, its bits at or after from are
	// known to be set.
	for j, w := range b.words[:i+1] {
		if w != ^uint64(0) {
			return uint64(j)<<6 + uint64(bits.TrailingZeros64(^w)), true
		}
	}
	return 0, false // unreachable while count < n
}
