package store

import (
	"encoding/hex"
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
