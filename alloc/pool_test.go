package alloc

import (
	"errors"
	"math"
	"net/netip"
	"testing"

	"go4.org/netipx"
)

func mustPrefixes(ss ...string) []netip.Prefix {
	var out []netip.Prefix
	for _, s := range ss {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}

func addrOrZero(s string) netip.Addr {
	if s == "" {
		return netip.Addr{}
	}
	return netip.MustParseAddr(s)
}

func newTestPool(t testing.TB, prefix, gateway string, exclude ...string) *Pool {
	t.Helper()
	p, err := NewPool(netip.MustParsePrefix(prefix), addrOrZero(gateway), mustPrefixes(exclude...))
	if err != nil {
		t.Fatalf("NewPool(%s, %q, %v): %v", prefix, gateway, exclude, err)
	}
	return p
}

// complement returns the prefixes covering within minus keep, for building
// pools with a huge prefix but only a few usable addresses.
func complement(t testing.TB, within, keep string) []netip.Prefix {
	t.Helper()
	var b netipx.IPSetBuilder
	b.AddPrefix(netip.MustParsePrefix(within))
	b.RemovePrefix(netip.MustParsePrefix(keep))
	s, err := b.IPSet()
	if err != nil {
		t.Fatal(err)
	}
	return s.Prefixes()
}

func TestNewPoolReserved(t *testing.T) {
	tests := []struct {
		name     string
		prefix   string
		gateway  string
		exclude  []string
		wantPfx  string
		capacity uint64
		dense    bool
		reserved []string // never handed out
		usable   []string // can be taken
		outside  []string // not in range
		first    string   // first Next on an empty pool
	}{
		{
			name: "ipv4 /24 gateway", prefix: "10.0.0.0/24", gateway: "10.0.0.1",
			capacity: 253, dense: true,
			reserved: []string{"10.0.0.0", "10.0.0.1", "10.0.0.255"},
			usable:   []string{"10.0.0.2", "10.0.0.254"},
			outside:  []string{"10.0.1.0", "9.255.255.255", "::ffff:10.0.0.2", "2001:db8::2"},
			first:    "10.0.0.2",
		},
		{
			name: "ipv4 /24 no gateway", prefix: "10.0.0.0/24",
			capacity: 254, dense: true,
			reserved: []string{"10.0.0.0", "10.0.0.255"},
			usable:   []string{"10.0.0.1", "10.0.0.254"},
			first:    "10.0.0.1",
		},
		{
			name: "ipv4 unmasked prefix", prefix: "10.0.0.77/24", wantPfx: "10.0.0.0/24",
			capacity: 254, dense: true, first: "10.0.0.1",
		},
		{
			name: "ipv4 /30 gateway", prefix: "192.168.7.4/30", gateway: "192.168.7.5",
			capacity: 1, dense: true,
			reserved: []string{"192.168.7.4", "192.168.7.5", "192.168.7.7"},
			usable:   []string{"192.168.7.6"},
			outside:  []string{"192.168.7.3", "192.168.7.8"},
			first:    "192.168.7.6",
		},
		{
			name: "ipv4 /30", prefix: "192.168.7.4/30",
			capacity: 2, dense: true, first: "192.168.7.5",
		},
		{
			name: "ipv4 /16 excludes", prefix: "10.244.0.0/16", gateway: "10.244.0.1",
			exclude:  []string{"10.244.0.0/28", "10.244.255.240/28", "10.244.16.0/20", "192.168.0.0/16", "2001:db8::/32"},
			capacity: 65536 - 16 - 16 - 4096, dense: true,
			reserved: []string{"10.244.0.1", "10.244.0.15", "10.244.255.240", "10.244.16.0", "10.244.31.255"},
			usable:   []string{"10.244.0.16", "10.244.15.255", "10.244.32.0", "10.244.255.239"},
			first:    "10.244.0.16",
		},
		{
			name: "ipv4 exclude covering the pool", prefix: "10.1.2.0/24", exclude: []string{"10.0.0.0/8"},
			capacity: 0, dense: true, reserved: []string{"10.1.2.1", "10.1.2.254"},
		},
		{
			name: "ipv4 /11 is sparse", prefix: "10.32.0.0/11", gateway: "10.32.0.1",
			capacity: 1<<21 - 3, dense: false,
			reserved: []string{"10.32.0.0", "10.32.0.1", "10.63.255.255"},
			usable:   []string{"10.63.255.254"},
			first:    "10.32.0.2",
		},
		{
			name: "ipv4 /12 is dense", prefix: "10.16.0.0/12",
			capacity: 1<<20 - 2, dense: true, first: "10.16.0.1",
			reserved: []string{"10.16.0.0", "10.31.255.255"},
			usable:   []string{"10.31.255.254"},
		},
		{
			name: "ipv6 /64 gateway", prefix: "2001:db8:1:2::/64", gateway: "2001:db8:1:2::1",
			capacity: math.MaxUint64 - 1, dense: false,
			reserved: []string{"2001:db8:1:2::", "2001:db8:1:2::1"},
			usable:   []string{"2001:db8:1:2::2", "2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2:8000::"},
			outside:  []string{"2001:db8:1:3::", "2001:db8:1:1:ffff:ffff:ffff:ffff", "10.0.0.1"},
			first:    "2001:db8:1:2::2",
		},
		{
			name: "ipv6 /64 excludes", prefix: "2001:db8::/64",
			exclude:  []string{"2001:db8::/112", "2001:db8::ffff:ffff:ffff:0/112", "2001:db9::/64", "10.0.0.0/8"},
			capacity: math.MaxUint64 - 2*65536 + 1, dense: false,
			reserved: []string{"2001:db8::", "2001:db8::ffff", "2001:db8::ffff:ffff:ffff:ffff"},
			usable:   []string{"2001:db8::1:0", "2001:db8::ffff:ffff:fffe:ffff"},
			first:    "2001:db8::1:0",
		},
		{
			name: "ipv6 /64 exclude covering the pool", prefix: "2001:db8::/64", exclude: []string{"2001:db8::/32"},
			capacity: 0, dense: false, reserved: []string{"2001:db8::1", "2001:db8::ffff:ffff:ffff:ffff"},
		},
		{
			name: "ipv6 /120 gateway", prefix: "fd00::100/120", gateway: "fd00::101",
			capacity: 254, dense: true,
			reserved: []string{"fd00::100", "fd00::101"},
			usable:   []string{"fd00::102", "fd00::1ff"},
			outside:  []string{"fd00::200", "fd00::ff", "fd00::102%eth0", "10.0.0.1"},
			first:    "fd00::102",
		},
		{
			name: "ipv6 /126", prefix: "fd00::4/126",
			capacity: 3, dense: true,
			reserved: []string{"fd00::4"},
			usable:   []string{"fd00::5", "fd00::7"},
			first:    "fd00::5",
		},
		{
			name: "ipv6 /126 gateway last", prefix: "fd00::4/126", gateway: "fd00::7",
			capacity: 2, dense: true,
			reserved: []string{"fd00::4", "fd00::7"},
			usable:   []string{"fd00::5", "fd00::6"},
			first:    "fd00::5",
		},
		{
			name: "ipv6 /127", prefix: "fd00::4/127",
			capacity: 1, dense: true, reserved: []string{"fd00::4"}, usable: []string{"fd00::5"}, first: "fd00::5",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newTestPool(t, tt.prefix, tt.gateway, tt.exclude...)
			wantPfx := tt.prefix
			if tt.wantPfx != "" {
				wantPfx = tt.wantPfx
			}
			if got := p.Prefix().String(); got != wantPfx {
				t.Errorf("Prefix() = %s, want %s", got, wantPfx)
			}
			if got := p.Gateway(); got != addrOrZero(tt.gateway) {
				t.Errorf("Gateway() = %v, want %q", got, tt.gateway)
			}
			if got := p.Capacity(); got != tt.capacity {
				t.Errorf("Capacity() = %d, want %d", got, tt.capacity)
			}
			if got := p.dense != nil; got != tt.dense {
				t.Errorf("dense = %v, want %v", got, tt.dense)
			}
			if p.Used() != 0 || p.Free() != tt.capacity || p.Full() != (tt.capacity == 0) {
				t.Errorf("Used() = %d, Free() = %d, Full() = %v on an empty pool", p.Used(), p.Free(), p.Full())
			}
			for _, s := range tt.reserved {
				a := netip.MustParseAddr(s)
				if !p.Reserved(a) {
					t.Errorf("Reserved(%s) = false", a)
				}
				if err := p.Take(a); !errors.Is(err, ErrReserved) {
					t.Errorf("Take(%s) = %v, want ErrReserved", a, err)
				}
				p.Mark(a)
				if p.Held(a) || p.Used() != 0 {
					t.Errorf("Mark(%s) of a reserved address: Held = %v, Used = %d", a, p.Held(a), p.Used())
				}
				p.Release(a) // must not underflow Used
				if p.Used() != 0 {
					t.Errorf("Release(%s) of a reserved address: Used = %d", a, p.Used())
				}
			}
			for _, s := range tt.outside {
				a := netip.MustParseAddr(s)
				var nre *NotInRangeError
				if err := p.Take(a); !errors.As(err, &nre) || nre.Addr != a || nre.Prefix != p.Prefix() {
					t.Errorf("Take(%s) = %v, want *NotInRangeError", a, err)
				}
				p.Mark(a)
				p.Release(a)
				if p.Held(a) || p.Reserved(a) || p.Used() != 0 {
					t.Errorf("outside address %s: Held = %v, Reserved = %v, Used = %d", a, p.Held(a), p.Reserved(a), p.Used())
				}
			}
			for i, s := range tt.usable {
				a := netip.MustParseAddr(s)
				if p.Reserved(a) || p.Held(a) {
					t.Errorf("usable %s: Reserved = %v, Held = %v", a, p.Reserved(a), p.Held(a))
				}
				if err := p.Take(a); err != nil {
					t.Errorf("Take(%s) = %v", a, err)
				}
				if !p.Held(a) || p.Used() != uint64(i+1) {
					t.Errorf("after Take(%s): Held = %v, Used = %d", a, p.Held(a), p.Used())
				}
			}
			for _, s := range tt.usable {
				p.Release(netip.MustParseAddr(s))
			}
			if p.Used() != 0 {
				t.Fatalf("Used() = %d after releasing everything", p.Used())
			}
			a, err := p.Next()
			if tt.first == "" {
				if !errors.Is(err, ErrFull) {
					t.Errorf("Next() = %v, %v, want ErrFull", a, err)
				}
				if p.Ratio() != 1 {
					t.Errorf("Ratio() = %v, want 1", p.Ratio())
				}
				return
			}
			if err != nil || a != netip.MustParseAddr(tt.first) {
				t.Errorf("Next() = %v, %v, want %s", a, err, tt.first)
			}
		})
	}
}

func TestNewPoolErrors(t *testing.T) {
	tests := []struct {
		name    string
		prefix  netip.Prefix
		gateway netip.Addr
		exclude []netip.Prefix
	}{
		{"invalid prefix", netip.Prefix{}, netip.Addr{}, nil},
		{"ipv4 /31", netip.MustParsePrefix("10.0.0.0/31"), netip.Addr{}, nil},
		{"ipv4 /32", netip.MustParsePrefix("10.0.0.1/32"), netip.Addr{}, nil},
		{"ipv6 /63", netip.MustParsePrefix("2001:db8::/63"), netip.Addr{}, nil},
		{"ipv6 /48", netip.MustParsePrefix("2001:db8::/48"), netip.Addr{}, nil},
		{"ipv6 /128", netip.MustParsePrefix("2001:db8::1/128"), netip.Addr{}, nil},
		{"gateway outside", netip.MustParsePrefix("10.0.0.0/24"), netip.MustParseAddr("10.0.1.1"), nil},
		{"gateway other family", netip.MustParsePrefix("10.0.0.0/24"), netip.MustParseAddr("fd00::1"), nil},
		{"invalid exclude", netip.MustParsePrefix("10.0.0.0/24"), netip.Addr{}, []netip.Prefix{{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if p, err := NewPool(tt.prefix, tt.gateway, tt.exclude); err == nil {
				t.Errorf("NewPool(%s, %s, %v) = %v, want an error", tt.prefix, tt.gateway, tt.exclude, p.Prefix())
			}
		})
	}
	_, err := NewPool(netip.MustParsePrefix("10.244.0.0/22"), netip.MustParseAddr("10.1.0.5"), nil)
	var nre *NotInRangeError
	if !errors.As(err, &nre) {
		t.Fatalf("gateway outside: %v, want a *NotInRangeError", err)
	}
	if got, want := nre.Error(), "10.1.0.5 is not in 10.244.0.0/22"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestOffsetRoundTrip(t *testing.T) {
	tests := []struct {
		prefix string
		addr   string
		off    uint64
	}{
		{"10.0.0.0/8", "10.0.0.0", 0},
		{"10.0.0.0/8", "10.1.2.3", 1<<16 + 2<<8 + 3},
		{"10.0.0.0/8", "10.255.255.255", 1<<24 - 1},
		{"192.168.1.0/24", "192.168.1.200", 200},
		{"2001:db8::/64", "2001:db8::1:0:0:5", 1<<48 + 5},
		{"2001:db8::/64", "2001:db8::ffff:ffff:ffff:ffff", math.MaxUint64},
		{"2001:db8:0:0:ffff:ffff:ffff:ff00/120", "2001:db8::ffff:ffff:ffff:ffff", 255},
	}
	for _, tt := range tests {
		p := newTestPool(t, tt.prefix, "")
		a := netip.MustParseAddr(tt.addr)
		off, ok := p.offset(a)
		if !ok || off != tt.off {
			t.Errorf("%s: offset(%s) = %d, %v, want %d", tt.prefix, a, off, ok, tt.off)
		}
		if got := p.addr(tt.off); got != a {
			t.Errorf("%s: addr(%d) = %s, want %s", tt.prefix, tt.off, got, a)
		}
	}
}

// TestExhaustion takes every address with Next and checks that exactly
// Capacity() distinct, in-range, unreserved addresses come out.
func TestExhaustion(t *testing.T) {
	tests := []struct {
		name    string
		prefix  string
		gateway string
		exclude []netip.Prefix
	}{
		{"ipv4 /24", "10.0.0.0/24", "10.0.0.1", nil},
		{"ipv4 /22 excludes", "10.244.0.0/22", "10.244.3.254", mustPrefixes("10.244.1.0/25", "10.244.2.17/32", "10.244.0.0/30")},
		{"ipv4 /30", "10.0.0.8/30", "10.0.0.9", nil},
		{"ipv4 /30 no gateway", "10.0.0.8/30", "", nil},
		{"ipv4 /16", "10.9.0.0/16", "10.9.0.1", nil},
		{"ipv6 /120", "fd00::/120", "fd00::1", nil},
		{"ipv6 /126", "fd00::/126", "", nil},
		{"ipv6 /112 excludes", "fd00::/112", "fd00::1", mustPrefixes("fd00::100/120", "fd00::ff00/120")},
		{"ipv4 /8 sparse", "10.0.0.0/8", "10.20.30.1", complement(t, "10.0.0.0/8", "10.20.30.0/27")},
		{"ipv6 /64 sparse", "2001:db8::/64", "", complement(t, "2001:db8::/64", "2001:db8::8000:0:0:0/120")},
		{"ipv6 /64 sparse low", "2001:db8::/64", "2001:db8::1", complement(t, "2001:db8::/64", "2001:db8::/122")},
		{"ipv6 /64 sparse high", "2001:db8::/64", "", complement(t, "2001:db8::/64", "2001:db8::ffff:ffff:ffff:ffc0/122")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pfx := netip.MustParsePrefix(tt.prefix)
			gw := addrOrZero(tt.gateway)
			p, err := NewPool(pfx, gw, tt.exclude)
			if err != nil {
				t.Fatal(err)
			}
			reserved := func(a netip.Addr) bool {
				if a == pfx.Addr() || a == gw {
					return true
				}
				if a.Is4() && a == netipx.PrefixLastIP(pfx) {
					return true
				}
				for _, x := range tt.exclude {
					if x.Contains(a) {
						return true
					}
				}
				return false
			}
			seen := make(map[netip.Addr]bool)
			for range 2 { // twice: after releasing everything, the pool refills the same way
				clear(seen)
				for {
					a, err := p.Next()
					if errors.Is(err, ErrFull) {
						break
					}
					if err != nil {
						t.Fatalf("Next() = %v", err)
					}
					if !pfx.Contains(a) || reserved(a) || seen[a] || !p.Held(a) {
						t.Fatalf("Next() = %s: in prefix %v, reserved %v, seen %v, held %v", a, pfx.Contains(a), reserved(a), seen[a], p.Held(a))
					}
					seen[a] = true
					if uint64(len(seen)) > p.Capacity() {
						t.Fatalf("Next() handed out more than Capacity() = %d addresses", p.Capacity())
					}
				}
				if uint64(len(seen)) != p.Capacity() || p.Used() != p.Capacity() || !p.Full() || p.Free() != 0 || p.Ratio() != 1 {
					t.Fatalf("after exhaustion: %d addresses, Used %d, Capacity %d, Full %v, Free %d, Ratio %v",
						len(seen), p.Used(), p.Capacity(), p.Full(), p.Free(), p.Ratio())
				}
				if _, err := p.Next(); !errors.Is(err, ErrFull) {
					t.Fatalf("Next() on a full pool = %v, want ErrFull", err)
				}
				for a := range seen {
					if err := p.Take(a); !errors.Is(err, ErrTaken) {
						t.Fatalf("Take(%s) on a full pool = %v, want ErrTaken", a, err)
					}
					p.Release(a)
				}
				if p.Used() != 0 || p.Full() {
					t.Fatalf("after releasing everything: Used %d, Full %v", p.Used(), p.Full())
				}
			}
		})
	}
}

func TestRoundRobin(t *testing.T) {
	for _, prefix := range []string{"10.0.0.0/24", "fd00::/120"} {
		t.Run(prefix, func(t *testing.T) {
			p := newTestPool(t, prefix, "")
			a1, _ := p.Next()
			a2, _ := p.Next()
			p.Release(a1)
			// a1 is not handed out again until the cursor has gone round.
			var got []netip.Addr
			for {
				a, err := p.Next()
				if err != nil {
					t.Fatalf("Next() = %v before the pool came round to %s", err, a1)
				}
				if a == a1 {
					break
				}
				got = append(got, a)
			}
			if want := int(p.Capacity()) - 2; len(got) != want {
				t.Fatalf("%s came back after %d other addresses, want %d", a1, len(got), want)
			}
			if got[0] != a2.Next() {
				t.Errorf("Next() after %s = %s, want %s", a2, got[0], a2.Next())
			}
			if !p.Full() {
				t.Fatalf("pool not full")
			}
			// With two holes, Next fills the one after the cursor first.
			lo, hi := got[10], got[20]
			p.SetCursor(got[15])
			p.Release(lo)
			p.Release(hi)
			if a, _ := p.Next(); a != hi {
				t.Errorf("Next() = %s, want %s (after the cursor)", a, hi)
			}
			if a, _ := p.Next(); a != lo {
				t.Errorf("Next() = %s, want %s (wrapped around)", a, lo)
			}
			if _, err := p.Next(); !errors.Is(err, ErrFull) {
				t.Errorf("Next() = %v, want ErrFull", err)
			}
			// A released address comes back at once only if it is the only one.
			p.Release(lo)
			if a, _ := p.Next(); a != lo {
				t.Errorf("Next() = %s, want the only free address %s", a, lo)
			}
		})
	}
}

func TestSparseWrapAround(t *testing.T) {
	p := newTestPool(t, "2001:db8::/64", "2001:db8::1", "2001:db8::ffff:ffff:ffff:ff00/120")
	p.SetCursor(netip.MustParseAddr("2001:db8::ffff:ffff:ffff:fefd"))
	want := []string{
		"2001:db8::ffff:ffff:ffff:fefe",
		"2001:db8::ffff:ffff:ffff:feff",
		"2001:db8::2", // the excluded top /120, offset 0 and the gateway are skipped
		"2001:db8::3",
	}
	for _, w := range want {
		if a, err := p.Next(); err != nil || a != netip.MustParseAddr(w) {
			t.Fatalf("Next() = %s, %v, want %s", a, err, w)
		}
	}
	// Cursor on the very last address of the /64: the next offset wraps to 0.
	q := newTestPool(t, "2001:db8::/64", "")
	q.SetCursor(netip.MustParseAddr("2001:db8::ffff:ffff:ffff:fffe"))
	for _, w := range []string{"2001:db8::ffff:ffff:ffff:ffff", "2001:db8::1"} {
		if a, err := q.Next(); err != nil || a != netip.MustParseAddr(w) {
			t.Fatalf("Next() = %s, %v, want %s", a, err, w)
		}
	}
	// Held addresses after the wrap are skipped too.
	q.Mark(netip.MustParseAddr("2001:db8::3"))
	q.SetCursor(netip.MustParseAddr("2001:db8::ffff:ffff:ffff:fff0"))
	q.Release(netip.MustParseAddr("2001:db8::ffff:ffff:ffff:ffff"))
	for off := uint64(math.MaxUint64 - 14); off != 0; off++ { // ...:fff1 to ...:ffff
		q.Mark(q.addr(off))
	}
	for _, w := range []string{"2001:db8::2", "2001:db8::4"} {
		if a, err := q.Next(); err != nil || a != netip.MustParseAddr(w) {
			t.Fatalf("Next() = %s, %v, want %s", a, err, w)
		}
	}
}

func TestTakeMarkRelease(t *testing.T) {
	for _, prefix := range []string{"10.0.0.0/24", "2001:db8::/64"} {
		t.Run(prefix, func(t *testing.T) {
			p := newTestPool(t, prefix, "")
			a := p.addr(7)
			if err := p.Take(a); err != nil {
				t.Fatalf("Take(%s) = %v", a, err)
			}
			if err := p.Take(a); !errors.Is(err, ErrTaken) {
				t.Fatalf("second Take(%s) = %v, want ErrTaken", a, err)
			}
			p.Mark(a) // already held: no double count
			if p.Used() != 1 {
				t.Fatalf("Used() = %d, want 1", p.Used())
			}
			b := p.addr(8)
			p.Mark(b)
			if !p.Held(b) || p.Used() != 2 {
				t.Fatalf("after Mark(%s): Held %v, Used %d", b, p.Held(b), p.Used())
			}
			if err := p.Take(b); !errors.Is(err, ErrTaken) {
				t.Fatalf("Take(%s) after Mark = %v, want ErrTaken", b, err)
			}
			p.Release(a)
			p.Release(a) // not held: no-op
			p.Release(p.addr(100))
			if p.Held(a) || p.Used() != 1 {
				t.Fatalf("after Release(%s): Held %v, Used %d", a, p.Held(a), p.Used())
			}
			// Take does not move the cursor; Next skips what Take and Mark hold.
			if err := p.Take(p.addr(1)); err != nil {
				t.Fatal(err)
			}
			for _, want := range []uint64{2, 3, 4, 5, 6, 7, 9} {
				if got, err := p.Next(); err != nil || got != p.addr(want) {
					t.Fatalf("Next() = %s, %v, want %s", got, err, p.addr(want))
				}
			}
			if p.Used() != 9 {
				t.Fatalf("Used() = %d, want 9", p.Used())
			}
			// SetCursor outside the prefix is ignored.
			p.SetCursor(netip.MustParseAddr("192.0.2.1"))
			p.SetCursor(netip.MustParseAddr("2001:db9::1"))
			if got, _ := p.Next(); got != p.addr(10) {
				t.Fatalf("Next() = %s, want %s", got, p.addr(10))
			}
		})
	}
}

func TestRatio(t *testing.T) {
	p := newTestPool(t, "10.0.0.0/30", "")
	if p.Ratio() != 0 {
		t.Fatalf("Ratio() = %v, want 0", p.Ratio())
	}
	p.Next()
	if p.Ratio() != 0.5 || p.Free() != 1 {
		t.Fatalf("Ratio() = %v, Free() = %d, want 0.5, 1", p.Ratio(), p.Free())
	}
}

func TestZeroAllocs(t *testing.T) {
	pools := map[string]*Pool{
		"dense":  newTestPool(t, "10.244.0.0/16", "10.244.0.1", "10.244.255.0/24"),
		"sparse": newTestPool(t, "2001:db8::/64", "2001:db8::1", "2001:db8::/112"),
	}
	for name, p := range pools {
		t.Run(name, func(t *testing.T) {
			// Grow the sparse map to its working size first.
			var held []netip.Addr
			for range 2000 {
				a, err := p.Next()
				if err != nil {
					t.Fatal(err)
				}
				held = append(held, a)
			}
			for _, a := range held[1000:] {
				p.Release(a)
			}
			target := held[0]
			p.Release(target)
			checks := map[string]func(){
				"Next+Release": func() {
					a, _ := p.Next()
					p.Release(a)
				},
				"Take+Release": func() {
					if err := p.Take(target); err != nil {
						t.Fatal(err)
					}
					p.Release(target)
				},
				"Mark+Held+Release": func() {
					p.Mark(target)
					if !p.Held(target) {
						t.Fatal("not held")
					}
					p.Release(target)
				},
				"Take taken": func() {
					if err := p.Take(held[1]); err != ErrTaken {
						t.Fatal(err)
					}
				},
				"Ratio+Least": func() {
					_ = Least([]*Pool{p})
				},
			}
			for check, f := range checks {
				if n := testing.AllocsPerRun(1000, f); n != 0 {
					t.Errorf("%s: %v allocs, want 0", check, n)
				}
			}
			// Next alone, within the map's grown size.
			if n := testing.AllocsPerRun(500, func() { p.Next() }); n != 0 {
				t.Errorf("Next: %v allocs, want 0", n)
			}
		})
	}
}
