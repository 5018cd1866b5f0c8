package alloc

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"

	"github.com/netipam/netipam/topo"
)

// ledgerWith is a memLedger with node n1 on TOR t1 whose subnets are given,
// holding the given addresses (all for n1).
func ledgerWith(subnets []topo.Subnet, held []netip.Addr) *memLedger {
	l := &memLedger{nodeTOR: map[string]string{"n1": "t1"}, subnets: map[string][]topo.Subnet{"t1": subnets},
		held: map[netip.Addr]topo.Allocation{}, cursors: map[netip.Prefix]netip.Addr{}}
	for _, a := range held {
		for _, s := range subnets {
			if s.CIDR.Contains(a) {
				l.held[a] = topo.Allocation{Address: a, Subnet: s.CIDR, Node: "n1", TOR: "t1", Purpose: s.Purpose}
			}
		}
	}
	return l
}

// TestOneShotAgreesWithFullPools: over random subnets, held sets and
// cursors, a one-shot allocator (partial pools read a window at a time)
// hands out exactly what an allocator with pools rebuilt in full would,
// and never reads every held address.
func TestOneShotAgreesWithFullPools(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(7, 7))
	for i := range 300 {
		bits := 22 + r.IntN(7) // /22 .. /28
		sn := subnet(fmt.Sprintf("10.%d.0.0/%d", i%200, bits))
		size := 1 << (32 - bits)
		var held []netip.Addr
		fill := r.Float64()
		run := r.IntN(size) // a long run of held addresses, as after a round of allocations
		for off := 2; off < size-1; off++ {
			if r.Float64() < fill || (off >= run && off < run+3*windowRows) {
				held = append(held, offsetAddr(sn.CIDR, off))
			}
		}
		cursor := offsetAddr(sn.CIDR, r.IntN(size))
		full := ledgerWith([]topo.Subnet{sn}, held)
		one := ledgerWith([]topo.Subnet{sn}, held)
		full.cursors[sn.CIDR], one.cursors[sn.CIDR] = cursor, cursor
		want, werr := NewAllocator(full).Allocate(ctx, Request{Node: "n1"})
		got, gerr := NewOneShotAllocator(one).Allocate(ctx, Request{Node: "n1"})
		if (werr == nil) != (gerr == nil) || (werr != nil && werr.Error() != gerr.Error()) {
			t.Fatalf("case %d (%s, %d held, cursor %s): full %v, one-shot %v", i, sn.CIDR, len(held), cursor, werr, gerr)
		}
		if werr == nil && want[0].Address != got[0].Address {
			t.Fatalf("case %d (%s, %d held, cursor %s): full pools give %s, one-shot %s",
				i, sn.CIDR, len(held), cursor, want[0].Address, got[0].Address)
		}
		if one.fullReads != 0 {
			t.Fatalf("case %d: the one-shot allocator read every held address", i)
		}
	}
}

func offsetAddr(p netip.Prefix, off int) netip.Addr {
	b := p.Addr().As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3]) + uint32(off)
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// TestOneShotReadsAWindowNotTheSubnet: with 60,000 addresses held before
// the cursor and none after it, one read of the stretch after the cursor
// settles the candidate.
func TestOneShotReadsAWindowNotTheSubnet(t *testing.T) {
	sn := subnet("10.0.0.0/16")
	var held []netip.Addr
	for off := 2; off < 60_002; off++ {
		held = append(held, offsetAddr(sn.CIDR, off))
	}
	l := ledgerWith([]topo.Subnet{sn}, held)
	l.cursors[sn.CIDR] = held[len(held)-1]
	got, err := NewOneShotAllocator(l).Allocate(context.Background(), Request{Node: "n1"})
	if err != nil || got[0].Address != offsetAddr(sn.CIDR, 60_002) {
		t.Fatalf("got %v %v, want %s", got, err, offsetAddr(sn.CIDR, 60_002))
	}
	if l.windowReads != 1 || l.fullReads != 0 {
		t.Fatalf("%d window reads and %d full reads, want 1 and 0", l.windowReads, l.fullReads)
	}
}

// TestOneShotChoosesTheLeastUsedSubnet, refuses a held static address and
// reports exhaustion with the subnets' real use.
func TestOneShotLeastUsedStaticAndFull(t *testing.T) {
	ctx := context.Background()
	a, b := subnet("10.0.0.0/24"), subnet("10.0.1.0/24")
	var held []netip.Addr
	for off := 2; off < 202; off++ {
		held = append(held, offsetAddr(a.CIDR, off))
	}
	held = append(held, offsetAddr(b.CIDR, 2), offsetAddr(b.CIDR, 3))
	l := ledgerWith([]topo.Subnet{a, b}, held)
	got, err := NewOneShotAllocator(l).Allocate(ctx, Request{Node: "n1"})
	if err != nil || !b.CIDR.Contains(got[0].Address) {
		t.Fatalf("got %v %v, want an address of the less used %s", got, err, b.CIDR)
	}
	_, err = NewOneShotAllocator(l).Allocate(ctx, Request{Node: "n1", IPs: []netip.Addr{offsetAddr(a.CIDR, 100)}})
	if !errors.Is(err, topo.ErrConflict) || !strings.Contains(err.Error(), "already allocated") {
		t.Fatalf("a held static address: %v, want already allocated", err)
	}
	small := subnet("10.0.2.0/28")
	var all []netip.Addr
	for off := 2; off < 15; off++ {
		all = append(all, offsetAddr(small.CIDR, off))
	}
	_, err = NewOneShotAllocator(ledgerWith([]topo.Subnet{small}, all)).Allocate(ctx, Request{Node: "n1"})
	if !errors.Is(err, topo.ErrExhausted) || !strings.Contains(err.Error(), "13 of 13 used") {
		t.Fatalf("a full subnet: %v, want exhausted, 13 of 13 used", err)
	}
}
