package topo

import (
	"fmt"
	"net/netip"

	"go4.org/netipx"
)

// DefaultGateway returns the first usable address of p, the network address
// plus one: the gateway of a subnet that does not name one.
func DefaultGateway(p netip.Prefix) netip.Addr {
	return p.Masked().Addr().Next()
}

// FamilyOfPrefix returns the family of p.
func FamilyOfPrefix(p netip.Prefix) Family {
	return FamilyOf(p.Addr())
}

func (f Family) String() string {
	if f == IPv4 {
		return "IPv4"
	}
	return "IPv6"
}

// prefixProblem says what is wrong with a declared prefix, or "" when it is
// usable.
func prefixProblem(p netip.Prefix) string {
	switch {
	case !p.IsValid():
		return "missing: write a CIDR such as 10.244.0.0/16"
	case p.Addr().Is4In6():
		return fmt.Sprintf("IPv4-mapped IPv6 prefix %s is not allowed: write it as the IPv4 prefix %s", p, unmapPrefix(p))
	case p != p.Masked():
		return fmt.Sprintf("%s has host bits set: use %s", p, p.Masked())
	}
	return ""
}

// addrProblem says what is wrong with a declared address, or "".
func addrProblem(a netip.Addr) string {
	switch {
	case a.Is4In6():
		return fmt.Sprintf("IPv4-mapped IPv6 address %s is not allowed: write it as %s", a, a.Unmap())
	case a.Zone() != "":
		return fmt.Sprintf("address %s has an IPv6 zone: remove the zone %s", Quote(a.String()), Quote("%"+a.Zone()))
	}
	return ""
}

// unmapPrefix writes an IPv4-mapped prefix as IPv4 for messages.
func unmapPrefix(p netip.Prefix) string {
	if p.Bits() < 96 {
		return "with a length of at least /96 (a plain IPv4 prefix)"
	}
	return netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96).Masked().String()
}

// covers reports whether child lies entirely inside parent.
func covers(parent, child netip.Prefix) bool {
	return parent.Bits() <= child.Bits() && parent.Contains(child.Addr())
}

// lastAddr returns the last address of p.
func lastAddr(p netip.Prefix) netip.Addr {
	return netipx.PrefixLastIP(p.Masked())
}

// usableRange gives the addresses of p an interface may be given: all but
// the network address, and for IPv4 all but the broadcast address too.
func usableRange(p netip.Prefix) netipx.IPRange {
	p = p.Masked()
	last := lastAddr(p)
	if p.Addr().Is4() {
		last = last.Prev()
	}
	return netipx.IPRangeFrom(p.Addr().Next(), last)
}

// noUsableAddress reports whether the excludes and gateway of s leave no
// address that could be handed out.
func noUsableAddress(s Subnet) bool {
	r := usableRange(s.CIDR)
	if !r.IsValid() {
		return false // the size check reports it
	}
	var b netipx.IPSetBuilder
	b.AddRange(r)
	for _, x := range s.Exclude {
		b.RemovePrefix(x)
	}
	if s.Gateway.IsValid() {
		b.Remove(s.Gateway)
	}
	set, err := b.IPSet()
	return err == nil && len(set.Ranges()) == 0
}
