package alloc

import (
	"math"
	"testing"
)

func TestSparse(t *testing.T) {
	s := NewSparse(20)
	s.Reserve(0, 0)
	s.Reserve(15, 30) // clamped to 20
	s.Reserve(5, 6)
	s.Reserve(7, 7) // merged with 5-6
	if got := len(s.reserved); got != 3 {
		t.Fatalf("reserved = %v, want 3 merged spans", s.reserved)
	}
	for i := uint64(1); i <= 3; i++ {
		s.Set(i)
	}
	s.Set(6)  // reserved: ignored
	s.Set(21) // out of range: ignored
	if s.Count() != 3 {
		t.Fatalf("Count() = %d, want 3", s.Count())
	}
	tests := []struct {
		from uint64
		want uint64
	}{
		{0, 4}, {1, 4}, {4, 4}, {5, 8}, {14, 14}, {15, 4}, {20, 4}, {21, 4}, {math.MaxUint64, 4},
	}
	for _, tt := range tests {
		if got, ok := s.NextClear(tt.from); !ok || got != tt.want {
			t.Errorf("NextClear(%d) = %d, %v, want %d", tt.from, got, ok, tt.want)
		}
	}
	for _, i := range []uint64{4, 8, 9, 10, 11, 12, 13, 14} {
		s.Set(i)
	}
	if got, ok := s.NextClear(9); ok {
		t.Fatalf("NextClear on a full set = %d", got)
	}
	s.Clear(2)
	s.Clear(2)
	if got, ok := s.NextClear(9); !ok || got != 2 {
		t.Fatalf("NextClear(9) = %d, %v, want 2 after wrapping", got, ok)
	}
	if !s.Test(0) || !s.Test(1) || s.Test(2) || s.Test(21) || !s.Reserved(20) || s.Reserved(4) {
		t.Fatal("Test or Reserved wrong")
	}
}

func TestSparseFull64(t *testing.T) {
	// A reserved span reaching the last offset of a /64 and a held offset
	// just before it.
	s := NewSparse(math.MaxUint64)
	s.Reserve(0, 9)
	s.Reserve(math.MaxUint64-9, math.MaxUint64)
	s.Set(10)
	s.Set(math.MaxUint64 - 10)
	if got, ok := s.NextClear(math.MaxUint64 - 11); !ok || got != math.MaxUint64-11 {
		t.Fatalf("NextClear = %d, %v", got, ok)
	}
	if got, ok := s.NextClear(math.MaxUint64 - 10); !ok || got != 11 {
		t.Fatalf("NextClear = %d, %v, want 11", got, ok)
	}
	// Everything reserved.
	z := NewSparse(math.MaxUint64)
	z.Reserve(0, math.MaxUint64)
	for _, from := range []uint64{0, 5, math.MaxUint64} {
		if got, ok := z.NextClear(from); ok {
			t.Fatalf("NextClear(%d) = %d on a fully reserved set", from, got)
		}
	}
}

// FuzzSparse checks Sparse against a []bool model, as FuzzBitmap does.
func FuzzSparse(f *testing.F) {
	f.Add([]byte{10, 0, 0, 3, 9, 1, 0, 0, 3, 0})
	f.Add([]byte{64, 5, 60, 2, 10, 0, 0, 3, 63, 3, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 3 {
			return
		}
		last := uint64(data[0])
		s := NewSparse(last)
		model := make([]bool, last+1)
		reserved := make([]bool, last+1)
		lo, hi := uint64(data[1])%(last+1), uint64(data[2])%(last+1)
		s.Reserve(lo, hi)
		for i := lo; i <= hi; i++ {
			reserved[i] = true
		}
		for ops := data[3:]; len(ops) >= 2; ops = ops[2:] {
			i := uint64(ops[1]) % (last + 3)
			switch ops[0] % 5 {
			case 0:
				s.Set(i)
				if i <= last && !reserved[i] {
					model[i] = true
				}
			case 1:
				s.Clear(i)
				if i <= last {
					model[i] = false
				}
			case 2:
				if got, want := s.Test(i), i <= last && (model[i] || reserved[i]); got != want {
					t.Fatalf("Test(%d) = %v, want %v", i, got, want)
				}
			case 3:
				both := make([]bool, last+1)
				for k := range both {
					both[k] = model[k] || reserved[k]
				}
				got, ok := s.NextClear(i)
				want, wantOK := modelNextClear(both, i)
				if got != want || ok != wantOK {
					t.Fatalf("NextClear(%d) = %d, %v, want %d, %v", i, got, ok, want, wantOK)
				}
				if got, ok := s.take(i); got != want || ok != wantOK {
					t.Fatalf("take(%d) = %d, %v, want %d, %v", i, got, ok, want, wantOK)
				}
				if wantOK {
					model[want] = true
				}
			case 4:
				n := uint64(0)
				for _, h := range model {
					if h {
						n++
					}
				}
				if s.Count() != n {
					t.Fatalf("Count() = %d, want %d", s.Count(), n)
				}
			}
		}
	})
}
