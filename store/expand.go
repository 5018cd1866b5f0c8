package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/netipam/netipam/topo"
)

// ExpansionView is what planning the expansion of a TOR's subnets of one
// purpose and family reads (alloc.PlanExpansion).
type ExpansionView struct {
	TOR, Pod string
	// PodPrefixes are the pod's prefixes of the family.
	PodPrefixes []netip.Prefix
	// Taken are the stored subnets that overlap the pod's prefixes.
	Taken []netip.Prefix
	// Blocks are the TOR's subnets of the purpose and family, in address
	// order, with their use.
	Blocks []topo.SubnetRow
	// MinAvailable is the largest min_available of the TOR's nodes for
	// the purpose.
	MinAvailable int64
	// Recent counts the allocations in the blocks since the time asked.
	Recent int64
	// Settings are the stored expansion settings (nil: the defaults).
	Settings *topo.Expansion
}

// ExpansionQuery selects what ExpansionView reads.
type ExpansionQuery struct {
	TOR, Purpose string
	Family       topo.Family
	// Since starts the recent past whose allocations are counted.
	Since time.Time
	// NeedOnly reads only what tells whether an expansion is needed (the
	// blocks with their use, min_available, the settings): three queries,
	// cheap enough to ask after every allocation.
	NeedOnly bool
}

// ExpansionView reads what planning an expansion of a TOR's subnets of a
// purpose and family needs. Every query is one TOR's, pod's or subnet's,
// through an index.
func (s *Store) ExpansionView(ctx context.Context, q ExpansionQuery) (*ExpansionView, error) {
	tor, purpose, fam := q.TOR, q.Purpose, q.Family
	v := &ExpansionView{TOR: tor}
	fail := func(err error) (*ExpansionView, error) {
		return nil, fmt.Errorf("read the expansion state of %s (%s, IPv%d): %w", tor, purpose, fam, err)
	}
	var err error
	if v.Blocks, err = s.torBlocks(ctx, tor, purpose, fam); err != nil {
		return fail(err)
	}
	if v.MinAvailable, err = s.minAvailable(ctx, tor, purpose); err != nil {
		return fail(err)
	}
	if v.Settings, err = s.Expansion(ctx); err != nil {
		return fail(err)
	}
	if q.NeedOnly {
		return v, nil
	}
	err = s.one(ctx, Q(`SELECT COALESCE(pod_id, '') FROM tors WHERE id = ?`, tor), &v.Pod)
	if errors.Is(err, ErrNotFound) {
		return nil, topo.Errorf(topo.ErrNotFound, "TOR %s is not in the topology: list TORs with `netipam topo show`", tor)
	}
	if err != nil {
		return fail(err)
	}
	if err := s.each(ctx, Q(`SELECT cidr FROM pod_cidrs WHERE pod_id = ? AND family = ? ORDER BY first_key`, v.Pod, int64(fam)),
		func(scan func(...any) error) error {
			p, err := scanCIDR(scan)
			v.PodPrefixes = append(v.PodPrefixes, p)
			return err
		}); err != nil {
		return fail(err)
	}
	for _, pp := range v.PodPrefixes {
		taken, err := s.subnetsOverlapping(ctx, pp)
		if err != nil {
			return fail(err)
		}
		v.Taken = append(v.Taken, taken...)
	}
	// Ids grow with time: the window starts at the first event at or after
	// Since (the events_at index), and each block's count is a range of
	// events_subnet (subnet, kind, id) from there, so it costs what the
	// window holds, not the block's whole history; at is still compared,
	// for clocks that went back (writers on other hosts, injected times).
	// MIN(+id), not MIN(id): SQLite answers MIN(id) by walking the ledger
	// from its first id until an event is recent enough, which reads the
	// whole ledger's past; +id makes it read the window of events_at.
	since := q.Since.UTC().Format(timeLayout)
	var from int64
	if err := s.one(ctx, Q(`SELECT COALESCE(MIN(+id), -1) FROM events WHERE at >= ?`, since), &from); err != nil {
		return fail(err)
	}
	for _, b := range v.Blocks {
		if from < 0 {
			break // nothing in the window
		}
		var n int64
		if err := s.one(ctx, Q(`SELECT COUNT(*) FROM events WHERE subnet = ? AND kind = 'allocate' AND id >= ? AND at >= ?`,
			b.CIDR.String(), from, since), &n); err != nil {
			return fail(err)
		}
		v.Recent += n
	}
	return v, nil
}

// subnetsOverlapping lists the stored subnets overlapping p: those starting
// inside it, and the one starting last before it if it reaches into p
// (subnets never overlap one another).
func (s *Store) subnetsOverlapping(ctx context.Context, p netip.Prefix) ([]netip.Prefix, error) {
	first, last := rangeKeys(p)
	var out []netip.Prefix
	read := func(scan func(...any) error) error {
		sp, err := scanCIDR(scan)
		out = append(out, sp)
		return err
	}
	if err := s.each(ctx, Q(`SELECT cidr FROM (SELECT cidr, last_key FROM subnets WHERE first_key < ?
		ORDER BY first_key DESC LIMIT 1) WHERE last_key >= ?`, first, first), read); err != nil {
		return nil, err
	}
	if err := s.each(ctx, Q(`SELECT cidr FROM subnets WHERE first_key >= ? AND first_key <= ?`, first, last), read); err != nil {
		return nil, err
	}
	return out, nil
}

// torBlocks lists a TOR's subnets of a purpose and family with their use.
func (s *Store) torBlocks(ctx context.Context, tor, purpose string, fam topo.Family) ([]topo.SubnetRow, error) {
	var out []topo.SubnetRow
	err := s.each(ctx, Q(`SELECT `+subnetCols+`, s.source, COALESCE((SELECT c.used FROM subnet_counts c WHERE c.subnet = s.cidr), 0)
		FROM subnets s WHERE s.tor_id = ? AND s.purpose = ? AND s.family = ? ORDER BY s.first_key`, tor, purpose, int64(fam)),
		func(scan func(...any) error) error {
			r := topo.SubnetRow{TOR: tor}
			var err error
			r.Subnet, err = scanSubnet(scan, &r.Source, &r.Used)
			r.Expanded = r.Source == "expand"
			out = append(out, r)
			return err
		})
	return out, err
}

// minAvailable gives the largest min_available of tor's nodes for purpose.
func (s *Store) minAvailable(ctx context.Context, tor, purpose string) (int64, error) {
	m, err := s.minAvailableByPurpose(ctx, tor)
	return m[purpose], err
}

// minAvailableByPurpose gives the largest min_available of tor's nodes, by
// purpose (one indexed read of the TOR's nodes).
func (s *Store) minAvailableByPurpose(ctx context.Context, tor string) (map[string]int64, error) {
	most := map[string]int64{}
	err := s.each(ctx, Q(`SELECT id, preferences FROM nodes WHERE tor_id = ?`, tor), func(scan func(...any) error) error {
		var id, prefs string
		if err := scan(&id, &prefs); err != nil {
			return err
		}
		var ps []topo.Preference
		if err := json.Unmarshal([]byte(prefs), &ps); err != nil {
			return fmt.Errorf("stored preferences of %s: %w", id, err)
		}
		for _, p := range ps {
			most[p.Purpose] = max(most[p.Purpose], int64(p.MinAvailable))
		}
		return nil
	})
	return most, err
}

// BlockCount gives how many subnets a TOR has of a purpose and family: what
// a plan saw (Claim.Seen) is compared with it.
func (s *Store) BlockCount(ctx context.Context, tor, purpose string, fam topo.Family) (int, error) {
	var n int64
	if err := s.one(ctx, Q(`SELECT COUNT(*) FROM subnets WHERE tor_id = ? AND purpose = ? AND family = ?`,
		tor, purpose, int64(fam)), &n); err != nil {
		return 0, fmt.Errorf("count the %s IPv%d subnets of %s: %w", purpose, fam, tor, err)
	}
	return int(n), nil
}

// Claim is one planned expansion: the block for a TOR's purpose, made only
// if the TOR still has exactly Seen subnets of that purpose and family.
type Claim struct {
	TOR     string
	Purpose string
	Block   netip.Prefix
	Seen    int
	// Detail is written in the ledger's expand event (reason, usage).
	Detail string
}

// ClaimBlock makes a claim in one atomic batch: one conditional INSERT of
// the subnet (source expand) and its expand event, written only if the
// insert was. It reports whether the block was claimed: false means the
// TOR's subnets changed since the plan (another process expanded it, or a
// block was reclaimed), and the caller plans again. A block that overlaps
// one claimed meanwhile by another TOR is refused by the schema
// (ErrConflict).
func (s *Store) ClaimBlock(ctx context.Context, c Claim) (bool, error) {
	now := s.stamp()
	first, last := rangeKeys(c.Block)
	fam := family(c.Block)
	res, err := s.db.Exec(ctx,
		Q(`INSERT INTO subnets (cidr, family, purpose, tor_id, gateway, first_key, last_key, source, created_at)
			SELECT ?, ?, ?, ?, ?, ?, ?, 'expand', ?
			WHERE (SELECT COUNT(*) FROM subnets WHERE tor_id = ? AND purpose = ? AND family = ?) = ?`,
			c.Block.String(), fam, c.Purpose, c.TOR, topo.DefaultGateway(c.Block).String(), first, last, now,
			c.TOR, c.Purpose, fam, int64(c.Seen)),
		s.eventWhere(Event{Kind: "expand", Subnet: c.Block.String(), TOR: c.TOR, Purpose: c.Purpose, Detail: c.Detail},
			`changes() = 1`))
	if err != nil {
		return false, fmt.Errorf("claim %s for %s (%s): %w", c.Block, c.TOR, c.Purpose, err)
	}
	return len(res) > 0 && res[0] == 1, nil
}

// ExpansionBlockedEvent records in the ledger that a TOR needs a block its
// pod cannot give, at most once a day for the same TOR, purpose and
// finding (the detail), so that every allocation past the threshold does
// not write one.
func (s *Store) ExpansionBlockedEvent(ctx context.Context, tor, purpose, detail string) error {
	detail = fmt.Sprintf("blocked %s: %s", s.Now().UTC().Format(time.DateOnly), detail)
	_, err := s.db.Exec(ctx, s.eventWhere(Event{Kind: "expand", TOR: tor, Purpose: purpose, Detail: detail},
		`NOT EXISTS (SELECT 1 FROM events WHERE subnet = '' AND kind = 'expand' AND tor_id = ? AND purpose = ? AND detail = ?)`,
		tor, purpose, detail))
	if err != nil {
		return fmt.Errorf("record that %s (%s) cannot expand: %w", tor, purpose, err)
	}
	return nil
}

// eventWhere appends e to the ledger only where the condition holds (its
// arguments follow the event's).
func (s *Store) eventWhere(e Event, where string, args ...any) Stmt {
	return Q(`INSERT INTO events (at, kind, actor, address, subnet, node_id, tor_id, purpose,
		container, ifname, network, pod_ns, pod_name, detail) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE `+where,
		append([]any{s.stamp(), e.Kind, s.Actor, e.Address, e.Subnet, e.Node, e.TOR, e.Purpose,
			e.Container, e.IfName, e.Network, e.PodNS, e.PodName, e.Detail}, args...)...)
}

// scanCIDR scans one prefix column.
func scanCIDR(scan func(...any) error) (netip.Prefix, error) {
	var c string
	if err := scan(&c); err != nil {
		return netip.Prefix{}, err
	}
	p, err := netip.ParsePrefix(c)
	if err != nil {
		return p, fmt.Errorf("stored prefix %q: %w", c, err)
	}
	return p, nil
}

// TORNeed is what tells whether a TOR's subnets need a block, for every
// purpose and family at once: three indexed reads.
type TORNeed struct {
	// Blocks are the TOR's subnets with their use, in family and
	// address order.
	Blocks []topo.SubnetRow
	// MinAvailable is the largest min_available of the TOR's nodes, by
	// purpose.
	MinAvailable map[string]int64
	Settings     *topo.Expansion
}

// TORNeed reads what tells whether a TOR's subnets need a block.
func (s *Store) TORNeed(ctx context.Context, tor string) (*TORNeed, error) {
	n := &TORNeed{}
	err := s.each(ctx, Q(`SELECT `+subnetCols+`, s.source, COALESCE((SELECT c.used FROM subnet_counts c WHERE c.subnet = s.cidr), 0)
		FROM subnets s WHERE s.tor_id = ? ORDER BY s.family, s.first_key`, tor),
		func(scan func(...any) error) error {
			r := topo.SubnetRow{TOR: tor}
			var err error
			r.Subnet, err = scanSubnet(scan, &r.Source, &r.Used)
			r.Expanded = r.Source == "expand"
			n.Blocks = append(n.Blocks, r)
			return err
		})
	if err == nil {
		n.MinAvailable, err = s.minAvailableByPurpose(ctx, tor)
	}
	if err == nil {
		n.Settings, err = s.Expansion(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("read whether %s needs a block: %w", tor, err)
	}
	return n, nil
}
