package alloc

import (
	"math/rand/v2"
	"net/netip"
	"slices"
	"strconv"
	"testing"
)

// filledPool returns a /16 pool with fill percent of its addresses held,
// chosen pseudo-randomly with a fixed seed.
func filledPool(b *testing.B, fill int) *Pool {
	b.Helper()
	p := newTestPool(b, "10.244.0.0/16", "10.244.0.1")
	r := rand.New(rand.NewPCG(1, 2))
	n := p.Capacity() * uint64(fill) / 100
	for _, i := range r.Perm(int(p.last) + 1) {
		if p.Used() == n {
			break
		}
		p.Mark(p.addr(uint64(i)))
	}
	if p.Used() != n {
		b.Fatalf("filled %d, want %d", p.Used(), n)
	}
	return p
}

func BenchmarkNext(b *testing.B) {
	for _, fill := range []int{0, 50, 99} {
		b.Run("fill="+strconv.Itoa(fill), func(b *testing.B) {
			p := filledPool(b, fill)
			b.ReportAllocs()
			for b.Loop() {
				a, _ := p.Next()
				p.Release(a)
			}
		})
	}
}

// BenchmarkNextOnly is the next-free allocation alone, amortised: Next is
// called again and again, and every 512 calls the bitmap is put back as it
// was, so the fill stays within 0.8% of the nominal one and no Release is
// measured. The restore (a 1,024-word copy) is inside the timing: ~0.2 ns
// per op.
func BenchmarkNextOnly(b *testing.B) {
	const batch = 512
	for _, fill := range []int{0, 50, 99} {
		b.Run("fill="+strconv.Itoa(fill), func(b *testing.B) {
			p := filledPool(b, fill)
			words := slices.Clone(p.dense.words)
			count, used, cursor := p.dense.count, p.used, p.cursor
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if i%batch == batch-1 {
					copy(p.dense.words, words)
					p.dense.count, p.used, p.cursor = count, used, cursor
				}
				if _, err := p.Next(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkNextWorst is the worst case of a dense pool: one free address in a
// 1<<20-address prefix, so that every Next scans the whole bitmap.
func BenchmarkNextWorst(b *testing.B) {
	p := newTestPool(b, "10.16.0.0/12", "")
	for range p.Capacity() - 1 {
		p.Next()
	}
	b.ReportAllocs()
	for b.Loop() {
		a, _ := p.Next()
		p.Release(a)
	}
}

func BenchmarkNextIPv6_64(b *testing.B) {
	p := newTestPool(b, "2001:db8::/64", "2001:db8::1")
	for range 10000 {
		p.Next()
	}
	b.ReportAllocs()
	for b.Loop() {
		a, _ := p.Next()
		p.Release(a)
	}
}

// BenchmarkReferenceMapSet is the naive alternative, an insert and a delete
// on a map of addresses, for comparing with BenchmarkNext in the same run.
func BenchmarkReferenceMapSet(b *testing.B) {
	set := make(map[netip.Addr]struct{}, 1<<16)
	first := netip.MustParseAddr("10.244.0.1")
	a := first
	b.ReportAllocs()
	for b.Loop() {
		set[a] = struct{}{}
		delete(set, a)
		if a = a.Next(); a == netip.MustParseAddr("10.245.0.0") {
			a = first
		}
	}
}
