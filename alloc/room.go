package alloc

import (
	"errors"
	"fmt"

	"github.com/netipam/netipam/topo"
)

// ErrNoRoom: a node's TOR cannot give an address of some family of some
// purpose (CNI STATUS answers "not available").
var ErrNoRoom = errors.New("no room")

// CheckRoom says whether an allocation on node (on TOR tor, whose subnets
// are rows) could succeed for every purpose: the TOR has a subnet of the
// purpose and a free address of every family it has subnets of. A finding
// matches ErrNoRoom and says what to do; other errors are faults.
func CheckRoom(node, tor string, purposes []topo.Purpose, rows []SubnetUse) error {
	for _, purpose := range purposes {
		free := map[topo.Family]bool{} // family -> some subnet has room
		for _, r := range rows {
			if r.Subnet.Purpose != purpose {
				continue
			}
			capacity, err := Capacity(r.Subnet)
			if err != nil {
				return fmt.Errorf("capacity of %s: %w", r.Subnet.CIDR, err)
			}
			fam := topo.FamilyOf(r.Subnet.CIDR.Addr())
			free[fam] = free[fam] || capacity > uint64(max(r.Used, 0))
		}
		if len(free) == 0 {
			return topo.Errorf(ErrNoRoom, "TOR %s (node %s) has no %s subnet: add one with `netipam subnet add --tor %s --purpose %s --cidr CIDR`",
				tor, node, purpose, tor, purpose)
		}
		for _, fam := range []topo.Family{topo.IPv4, topo.IPv6} {
			if room, ok := free[fam]; ok && !room {
				return topo.Errorf(ErrNoRoom, "TOR %s (node %s) has no free IPv%d %s address: add a subnet with `netipam subnet add --tor %s --purpose %s --cidr CIDR`",
					tor, node, fam, purpose, tor, purpose)
			}
		}
	}
	return nil
}
