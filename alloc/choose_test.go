package alloc

import "testing"

func TestLeast(t *testing.T) {
	a := newTestPool(t, "10.0.0.0/30", "") // capacity 2
	b := newTestPool(t, "10.0.1.0/30", "") // capacity 2
	c := newTestPool(t, "10.0.2.0/29", "") // capacity 6
	if got := Least(nil); got != nil {
		t.Fatalf("Least(nil) = %v", got.Prefix())
	}
	if got := Least([]*Pool{a, b, c}); got != a {
		t.Fatalf("tie: Least = %s, want the first", got.Prefix())
	}
	a.Next()
	if got := Least([]*Pool{a, b, c}); got != b {
		t.Fatalf("Least = %s, want %s", got.Prefix(), b.Prefix())
	}
	b.Next()
	c.Next()
	c.Next() // c at 2/6 < 1/2
	if got := Least([]*Pool{a, nil, b, c}); got != c {
		t.Fatalf("Least = %s, want %s", got.Prefix(), c.Prefix())
	}
	a.Next()
	b.Next()
	for range 4 {
		c.Next()
	}
	if got := Least([]*Pool{a, b, c}); got != nil {
		t.Fatalf("all full: Least = %s, want nil", got.Prefix())
	}
	// Full beats the ratio: a fully excluded pool (Ratio 1, capacity 0) is skipped.
	z := newTestPool(t, "10.0.3.0/24", "", "10.0.3.0/24")
	if got := Least([]*Pool{z, a}); got != nil {
		t.Fatalf("Least = %s, want nil", got.Prefix())
	}
}
