package topo

import (
	"strings"
	"unicode"

	"github.com/containernetworking/cni/pkg/utils"
)

// Attachment is what owns a container's addresses: the CNI spec's key,
// (network, container ID, interface name). Addresses held by a node itself
// (`netipam alloc` without --container) have no attachment.
type Attachment struct {
	// Network is the CNI network's name; empty for the CLI's own
	// allocations.
	Network   string
	Container string
	IfName    string
}

// Attachment gives the key that owns a.
func (a Allocation) Attachment() Attachment {
	return Attachment{Network: a.Network, Container: a.Container, IfName: a.IfName}
}

// String writes the key as network/container/ifname, quoting nothing: the
// parts are validated (ValidateAttachment) before they are stored.
func (a Attachment) String() string {
	network := a.Network
	if network == "" {
		network = "(no network)"
	}
	return network + "/" + a.Container + "/" + a.IfName
}

// MaxNameLen bounds every identifier and name netipam stores: the longest
// DNS name, and so the longest Kubernetes object name.
const MaxNameLen = 253

// ValidateAttachment checks an attachment's parts with the CNI library's
// own rules (network name and container ID: a letter or digit, then
// letters, digits, '_', '.', '-'; interface name: at most 15 bytes, not "."
// or "..", no '/', ':' or white space) and netipam's: nothing longer than
// MaxNameLen, no control character. An empty network is the CLI's own.
func ValidateAttachment(a Attachment) error {
	if a.Network != "" {
		if err := utils.ValidateNetworkName(a.Network); err != nil {
			return Errorf(ErrInvalid, "network %q: %s: use letters, digits, '_', '.' and '-', starting with a letter or digit", a.Network, err.Msg)
		}
		if len(a.Network) > MaxNameLen {
			return Errorf(ErrInvalid, "network name is %d characters long: at most %d", len(a.Network), MaxNameLen)
		}
	}
	if err := utils.ValidateContainerID(a.Container); err != nil {
		return Errorf(ErrInvalid, "container ID %q: %s: use letters, digits, '_', '.' and '-', starting with a letter or digit", a.Container, err.Msg)
	}
	if len(a.Container) > MaxNameLen {
		return Errorf(ErrInvalid, "container ID is %d characters long: at most %d", len(a.Container), MaxNameLen)
	}
	if err := utils.ValidateInterfaceName(a.IfName); err != nil {
		return Errorf(ErrInvalid, "interface name %q: %s", a.IfName, err.Msg)
	}
	if strings.ContainsFunc(a.IfName, unicode.IsControl) {
		return Errorf(ErrInvalid, "interface name %q: contains a control character", a.IfName)
	}
	return nil
}

// ValidateLabel checks a free-form value stored beside an allocation (a pod
// namespace or name): at most MaxNameLen characters, no control character.
func ValidateLabel(what, v string) error {
	switch {
	case len(v) > MaxNameLen:
		return Errorf(ErrInvalid, "%s is %d characters long: at most %d", what, len(v), MaxNameLen)
	case strings.ContainsFunc(v, unicode.IsControl):
		return Errorf(ErrInvalid, "%s %q: contains a control character", what, v)
	}
	return nil
}
