package alloc

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/netipam/netipam/topo"
)

// topologyTTL bounds how long the allocator trusts a node's TOR and a
// TOR's subnets without asking the ledger again. A stale answer is never
// committed (the schema refuses an address outside a subnet of the node's
// TOR) and is dropped at once when an allocation fails (see Allocate): the
// TTL only bounds how long a subnet added by another process goes unused.
const topologyTTL = 5 * time.Second

type cachedTOR struct {
	tor string
	at  time.Time
}

type cachedSubnets struct {
	subnets []topo.Subnet
	at      time.Time
}

// errStaleTopology: the remembered topology changed under an allocation.
var errStaleTopology = errors.New("topology changed")

// topology gives a node's TOR and the TOR's subnets, from what the
// allocator remembers when cached is true and it is fresh, else from the
// ledger (and remembers it). fromCache says whether any part was
// remembered.
func (a *Allocator) topology(ctx context.Context, node string, cached bool) (tor string, subnets []topo.Subnet, fromCache bool, err error) {
	now := a.now()
	a.mu.Lock()
	ct, okT := a.tors[node]
	okT = okT && cached && now.Sub(ct.at) < topologyTTL
	a.mu.Unlock()
	if okT {
		tor, fromCache = ct.tor, true
	} else {
		if tor, err = a.ledger.NodeTOR(ctx, node); err != nil {
			return "", nil, false, err
		}
		a.mu.Lock()
		a.tors[node] = cachedTOR{tor, now}
		a.mu.Unlock()
	}
	a.mu.Lock()
	cs, okS := a.subnets[tor]
	okS = okS && cached && now.Sub(cs.at) < topologyTTL
	a.mu.Unlock()
	if okS {
		return tor, cs.subnets, true, nil
	}
	if subnets, err = a.ledger.NodeSubnets(ctx, tor); err != nil {
		return "", nil, false, fmt.Errorf("look up subnets of %s: %w", tor, err)
	}
	a.mu.Lock()
	a.subnets[tor] = cachedSubnets{subnets, now}
	a.mu.Unlock()
	return tor, subnets, fromCache, nil
}

// forgetTopology drops what the allocator remembers of a node and its TOR.
func (a *Allocator) forgetTopology(node, tor string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.tors, node)
	delete(a.subnets, tor)
}

// forgetAllTopology drops every node's TOR and every TOR's subnets the
// allocator remembers: the feed showed a topology change.
func (a *Allocator) forgetAllTopology() {
	a.mu.Lock()
	defer a.mu.Unlock()
	clear(a.tors)
	clear(a.subnets)
}
