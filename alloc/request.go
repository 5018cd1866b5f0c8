package alloc

import (
	"net/netip"

	"github.com/netipam/netipam/topo"
)

// Request asks for addresses for a node.
type Request struct {
	Node string
	// Purposes defaults to ["default"].
	Purposes []topo.Purpose
	// Family limits the request to IPv4 or IPv6; zero means one address of
	// every family the TOR has subnets of for each purpose.
	Family topo.Family
	// Count is the number of addresses per purpose and family (default 1);
	// more than one is refused for a container interface.
	Count int
	// IPs are specific addresses wanted; each stands for its purpose and
	// family.
	IPs []netip.Addr
	// Network, Container and IfName, the CNI spec's attachment key, own
	// the addresses: the same attachment asked again on the same node gets
	// the same addresses back; asked on another node, it is refused.
	// Network is empty for the CLI's own allocations.
	Network, Container, IfName string
	PodNS, PodName             string
}

func (r Request) attachment() topo.Attachment {
	return topo.Attachment{Network: r.Network, Container: r.Container, IfName: r.IfName}
}

// Validate checks a request, the one check every path makes (the CLI,
// the HTTP API, the CNI plugin, and Allocate itself): the node, the
// purposes (valid, distinct, at most topo.MaxPurposes), the family, the
// count (0 means 1; at most topo.MaxCount per purpose and family and in
// all), the addresses (valid, distinct, at most topo.MaxAddresses), and
// what it would store beside its addresses: the attachment's parts by the
// CNI spec's rules, lengths, no control characters.
func (r Request) Validate() error {
	if err := r.validateShape(); err != nil {
		return err
	}
	if r.Container == "" {
		if r.Network != "" || r.IfName != "" {
			return topo.Errorf(topo.ErrInvalid, "a network or interface name goes with a container ID")
		}
	} else if err := topo.ValidateAttachment(r.attachment()); err != nil {
		return err
	}
	if err := topo.ValidateLabel("pod namespace", r.PodNS); err != nil {
		return err
	}
	return topo.ValidateLabel("pod name", r.PodName)
}
