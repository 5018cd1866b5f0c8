package store

import (
	"encoding/hex"
	"fmt"
	"net/netip"

	"go4.org/netipx"
)

// addrKey is the fixed-width key of an address: 32 hex digits of its
// 16-byte form (IPv4 as ::ffff:a.b.c.d), so that text comparison in SQL is
// address order for both families.
func addrKey(a netip.Addr) string {
	b := a.As16()
	return hex.EncodeToString(b[:])
}

// keyAddr reads an address back from its key.
func keyAddr(key string) (netip.Addr, error) {
	var b [16]byte
	if n, err := hex.Decode(b[:], []byte(key)); err != nil || n != 16 {
		return netip.Addr{}, fmt.Errorf("stored address key %q: not 32 hex digits", key)
	}
	return netip.AddrFrom16(b).Unmap(), nil
}

// rangeKeys gives the keys of a prefix's first and last addresses.
func rangeKeys(p netip.Prefix) (first, last string) {
	p = p.Masked()
	return addrKey(p.Addr()), addrKey(netipx.PrefixLastIP(p))
}

func family(p netip.Prefix) int64 {
	if p.Addr().Is4() {
		return 4
	}
	return 6
}
