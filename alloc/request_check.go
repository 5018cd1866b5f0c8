package alloc

import (
	"net/netip"

	"github.com/netipam/netipam/topo"
)

// validateShape checks what a request asks for (Validate checks what it
// stores): the sizes are bounded so that no request, from any path, can
// make a process build an answer of unbounded size.
func (r Request) validateShape() error {
	if r.Node == "" {
		return topo.Errorf(topo.ErrInvalid, "node: give the node ID")
	}
	if err := topo.ValidateLabel("node", r.Node); err != nil {
		return err
	}
	if err := topo.CheckListLen("purposes", len(r.Purposes), topo.MaxPurposes); err != nil {
		return err
	}
	seen := make(map[topo.Purpose]bool, len(r.Purposes))
	for _, p := range r.Purposes {
		if err := topo.CheckPurpose("purpose", p); err != nil {
			return err
		}
		if seen[p] {
			return topo.Errorf(topo.ErrInvalid, "purpose %s is given twice: name each purpose once", topo.Quote(p))
		}
		seen[p] = true
	}
	switch r.Family {
	case 0, topo.IPv4, topo.IPv6:
	default:
		return topo.Errorf(topo.ErrInvalid, "family %d: use 4, 6, or 0 for every family", int(r.Family))
	}
	if r.Count < 0 || r.Count > topo.MaxCount {
		return topo.Errorf(topo.ErrInvalid, "count %d: give 1 to %d addresses per purpose and family", r.Count, topo.MaxCount)
	}
	if n := max(1, len(r.Purposes)); r.Count*n > topo.MaxCount {
		return topo.Errorf(topo.ErrInvalid, "count %d for %d purposes: at most %d addresses per family in one request: "+
			"split it into several requests", r.Count, n, topo.MaxCount)
	}
	if r.Count > 1 && (r.Container != "" || len(r.IPs) > 0) {
		return topo.Errorf(topo.ErrInvalid, "count %d goes with neither a container nor specific addresses", r.Count)
	}
	if err := topo.CheckListLen("ips", len(r.IPs), topo.MaxAddresses); err != nil {
		return err
	}
	ips := make(map[netip.Addr]bool, len(r.IPs))
	for _, ip := range r.IPs {
		if !ip.IsValid() {
			return topo.Errorf(topo.ErrInvalid, "ips: an empty address")
		}
		if ips[ip] {
			return topo.Errorf(topo.ErrInvalid, "ip %s is given twice: name each address once", ip)
		}
		ips[ip] = true
	}
	return nil
}
