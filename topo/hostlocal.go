package topo

import (
	"fmt"
	"net/netip"
	"strings"
)

// HostLocalLease is one address the host-local CNI plugin's disk store
// holds: a file in its data directory (/var/lib/cni/networks/NET) named by
// the address and holding "CONTAINER-ID\r\nIFNAME", or the container ID
// alone as written by plugins before v0.7.
type HostLocalLease struct {
	Addr      netip.Addr
	Container string
	IfName    string
	// Legacy: the file names no interface; IfName is the default given.
	Legacy bool
}

// MaxHostLocalLease bounds a lease file: a container ID and an interface
// name (host-local writes under 300 bytes).
const MaxHostLocalLease = 1024

// HostLocalLeaseName reports whether a data directory entry is a lease: a
// file named by an IPv4 or IPv6 address. Its other files (lock,
// last_reserved_ip.N) are not.
func HostLocalLeaseName(name string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(name)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// ParseHostLocalLease reads a lease file's content, named as file in
// messages. defaultIfName is the interface of a legacy file (container ID
// alone). The container ID and interface are checked with the CNI rules
// (ValidateAttachment).
func ParseHostLocalLease(file string, addr netip.Addr, data []byte, defaultIfName string) (HostLocalLease, error) {
	l := HostLocalLease{Addr: addr}
	if len(data) > MaxHostLocalLease {
		return l, Errorf(ErrInvalid, "host-local lease %s is %d bytes long, over %d: not a host-local lease file; move it out of the data directory", file, len(data), MaxHostLocalLease)
	}
	text := string(data)
	id, ifname, found := strings.Cut(text, "\r\n")
	l.Container = strings.TrimSpace(id)
	if found {
		l.IfName = ifname
	} else {
		l.IfName, l.Legacy = defaultIfName, true
	}
	if l.Container == "" {
		return l, Errorf(ErrInvalid, "host-local lease %s names no container: remove the file if no container holds %s, or write its container ID in it", file, addr)
	}
	if err := ValidateAttachment(Attachment{Container: l.Container, IfName: l.IfName}); err != nil {
		return l, fmt.Errorf("host-local lease %s: %w", file, err)
	}
	return l, nil
}
