package alloc

import "testing"

func TestBitmap(t *testing.T) {
	for _, n := range []uint64{0, 1, 63, 64, 65, 130, 1024} {
		b := NewBitmap(n)
		if b.Len() != n || b.Count() != 0 {
			t.Fatalf("n=%d: Len() = %d, Count() = %d", n, b.Len(), b.Count())
		}
		// Fill with NextClear: offsets come out in order, then it reports full.
		for i := range n {
			got, ok := b.NextClear(i)
			if !ok || got != i {
				t.Fatalf("n=%d: NextClear(%d) = %d, %v", n, i, got, ok)
			}
			b.Set(got)
			b.Set(got) // setting twice counts once
		}
		if b.Count() != n {
			t.Fatalf("n=%d: Count() = %d after filling", n, b.Count())
		}
		if got, ok := b.NextClear(0); ok {
			t.Fatalf("n=%d: NextClear on a full bitmap = %d", n, got)
		}
		b.Set(n) // out of range: ignored
		b.Clear(n)
		if b.Test(n) || b.Count() != n {
			t.Fatalf("n=%d: out-of-range offset changed the bitmap", n)
		}
		if n == 0 {
			continue
		}
		// One hole: found from any start, wrapping around.
		hole := n / 2
		b.Clear(hole)
		b.Clear(hole) // clearing twice counts once
		if b.Count() != n-1 {
			t.Fatalf("n=%d: Count() = %d, want %d", n, b.Count(), n-1)
		}
		for _, from := range []uint64{0, hole, hole + 1, n - 1, n, n + 100} {
			if got, ok := b.NextClear(from); !ok || got != hole {
				t.Fatalf("n=%d: NextClear(%d) = %d, %v, want %d", n, from, got, ok, hole)
			}
		}
	}
}

// FuzzBitmap checks Bitmap against a []bool model. The first two bytes give
// the size; each following pair of bytes is one operation.
func FuzzBitmap(f *testing.F) {
	f.Add([]byte{0, 0})
	f.Add([]byte{1, 0, 0, 5, 1, 5, 3, 6})
	f.Add([]byte{64, 0, 0, 1, 0, 2, 3, 0, 2, 63})
	f.Add([]byte{200, 0, 0, 199, 3, 198, 0, 64, 1, 64, 3, 100})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 2 {
			return
		}
		n := uint64(data[0]) | uint64(data[1]&3)<<8 // up to 1023
		b := NewBitmap(n)
		model := make([]bool, n)
		count := uint64(0)
		for ops := data[2:]; len(ops) >= 2; ops = ops[2:] {
			i := uint64(ops[1]) % (n + 2) // sometimes out of range
			switch ops[0] % 4 {
			case 0:
				b.Set(i)
				if i < n && !model[i] {
					model[i] = true
					count++
				}
			case 1:
				b.Clear(i)
				if i < n && model[i] {
					model[i] = false
					count--
				}
			case 2:
				if got, want := b.Test(i), i < n && model[i]; got != want {
					t.Fatalf("Test(%d) = %v, want %v", i, got, want)
				}
			case 3:
				got, ok := b.NextClear(i)
				want, wantOK := modelNextClear(model, i)
				if got != want || ok != wantOK {
					t.Fatalf("NextClear(%d) = %d, %v, want %d, %v", i, got, ok, want, wantOK)
				}
			}
			if b.Count() != count {
				t.Fatalf("Count() = %d, want %d", b.Count(), count)
			}
		}
	})
}

func modelNextClear(model []bool, from uint64) (uint64, bool) {
	n := uint64(len(model))
	if from >= n {
		from = 0
	}
	for k := range n {
		if i := (from + k) % n; !model[i] {
			return i, true
		}
	}
	return 0, false
}
