package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/netipam/netipam/topo"
)

// VirtualTOR names the TOR a node registered without one gets: the seed's
// compatibility mode, one virtual TOR per node (see topo.VirtualTOR).
func VirtualTOR(node string) string { return topo.VirtualTOR(node) }

// NodeRow is a stored node with where it sits and what it holds.
type NodeRow struct {
	topo.Node
	Pod       string
	Zone      string
	Allocated int64
}

// UpsertNodes registers nodes (or updates them) in one atomic batch. A node
// without a TOR gets a virtual TOR of its own. A node that holds addresses
// cannot move to another TOR: every such node is named (the schema's
// trigger is the backstop), as is every unknown TOR.
func (s *Store) UpsertNodes(ctx context.Context, nodes []topo.Node) error {
	if err := s.checkNodes(ctx, nodes); err != nil {
		return err
	}
	now := s.stamp()
	var b []Stmt
	for i, n := range nodes {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("register nodes: %w", err)
			}
		}
		if n.TOR == "" {
			n.TOR = VirtualTOR(n.ID)
			b = append(b, Q(`INSERT OR IGNORE INTO tors (id, name, virtual, created_at) VALUES (?, ?, 1, ?)`,
				n.TOR, "virtual TOR of "+n.ID, now))
		}
		labels, err := json.Marshal(orEmpty(n.Labels))
		if err != nil {
			return fmt.Errorf("encode labels of %s: %w", n.ID, err)
		}
		prefs, err := json.Marshal(n.Preferences)
		if err != nil {
			return fmt.Errorf("encode preferences of %s: %w", n.ID, err)
		}
		if n.Preferences == nil {
			prefs = []byte("[]")
		}
		b = append(b,
			Q(`INSERT INTO nodes (id, name, tor_id, labels, preferences, created_at) VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT (id) DO UPDATE SET name = excluded.name, tor_id = excluded.tor_id,
				labels = excluded.labels, preferences = excluded.preferences
				WHERE name <> excluded.name OR tor_id <> excluded.tor_id OR labels <> excluded.labels
				OR preferences <> excluded.preferences`,
				n.ID, n.Name, n.TOR, string(labels), string(prefs), now),
			s.event(Event{Kind: "node", Node: n.ID, TOR: n.TOR, Detail: "register"}))
	}
	if _, err := s.db.Exec(ctx, b...); err != nil {
		return fmt.Errorf("register nodes: %w", err)
	}
	return nil
}

func orEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// NodeFilter selects nodes; nil fields match everything.
type NodeFilter struct {
	ID  *string
	TOR *string
}

// Nodes lists nodes ordered by ID.
func (s *Store) Nodes(ctx context.Context, f NodeFilter) ([]NodeRow, error) {
	where, args := "1 = 1", []any{}
	if f.ID != nil {
		where, args = where+" AND n.id = ?", append(args, *f.ID)
	}
	if f.TOR != nil {
		where, args = where+" AND n.tor_id = ?", append(args, *f.TOR)
	}
	q := `SELECT n.id, n.name, n.tor_id, n.labels, n.preferences, COALESCE(p.id, ''), COALESCE(p.zone_id, ''),
			(SELECT COUNT(*) FROM allocations a WHERE a.node_id = n.id)
		FROM nodes n JOIN tors t ON t.id = n.tor_id LEFT JOIN pods p ON p.id = t.pod_id
		WHERE ` + where + ` ORDER BY n.id`
	var out []NodeRow
	err := s.each(ctx, Q(q, args...), func(scan func(...any) error) error {
		var r NodeRow
		var labels, prefs string
		if err := scan(&r.ID, &r.Name, &r.TOR, &labels, &prefs, &r.Pod, &r.Zone, &r.Allocated); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(labels), &r.Labels); err != nil {
			return fmt.Errorf("stored labels of %s: %w", r.ID, err)
		}
		if err := json.Unmarshal([]byte(prefs), &r.Preferences); err != nil {
			return fmt.Errorf("stored preferences of %s: %w", r.ID, err)
		}
		out = append(out, r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list nodes: %w", err)
	}
	return out, nil
}

// Node reads one node; ErrNotFound if it is not registered.
func (s *Store) Node(ctx context.Context, id string) (NodeRow, error) {
	rows, err := s.Nodes(ctx, NodeFilter{ID: &id})
	if err != nil {
		return NodeRow{}, err
	}
	if len(rows) == 0 {
		return NodeRow{}, fmt.Errorf("node %s: %w", id, ErrNotFound)
	}
	return rows[0], nil
}

// checkNodes names the nodes that would move off the TOR where they hold
// addresses, and the TORs that do not exist: one query per 500 nodes.
func (s *Store) checkNodes(ctx context.Context, nodes []topo.Node) error {
	want := make(map[string]string, len(nodes))
	ids := make([]string, 0, len(nodes))
	tors := map[string]bool{}
	var torIDs []string
	for _, n := range nodes {
		if n.TOR == "" {
			n.TOR = VirtualTOR(n.ID)
		} else if !tors[n.TOR] {
			tors[n.TOR] = true
			torIDs = append(torIDs, n.TOR)
		}
		if _, dup := want[n.ID]; !dup {
			ids = append(ids, n.ID)
		}
		want[n.ID] = n.TOR
	}
	var errs topo.Errors
	known := map[string]bool{}
	err := chunks(torIDs, func(part []any) error {
		return s.each(ctx, Q(`SELECT id FROM tors WHERE id IN (`+marks(len(part))+`)`, part...),
			func(scan func(...any) error) error {
				var id string
				err := scan(&id)
				known[id] = true
				return err
			})
	})
	if err != nil {
		return fmt.Errorf("look up TORs: %w", err)
	}
	for _, id := range torIDs {
		if !known[id] {
			errs = append(errs, &topo.Error{Kind: topo.ErrNotFound,
				Msg: fmt.Sprintf("tor %s: unknown TOR: import it with `netipam topo import` or list TORs with `netipam topo show`", topo.Quote(id))})
		}
	}
	err = chunks(ids, func(part []any) error {
		return s.each(ctx, Q(`SELECT n.id, n.tor_id, COUNT(a.address), COALESCE(MIN(a.address), '')
			FROM nodes n JOIN allocations a ON a.node_id = n.id
			WHERE n.id IN (`+marks(len(part))+`) GROUP BY n.id`, part...),
			func(scan func(...any) error) error {
				var h holders
				var tor string
				if err := scan(&h.node, &tor, &h.n, &h.addr); err != nil {
					return err
				}
				if to := want[h.node]; to != tor {
					errs = append(errs, conflict("node %s holds %s on tor %s (e.g. %s): it cannot move to tor %s; release its addresses first or keep it on tor %s",
						h.node, h.count(), tor, h.addr, to, tor))
				}
				return nil
			})
	})
	if err != nil {
		return fmt.Errorf("look up nodes: %w", err)
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// TORIDs gives the ids of every stored TOR, virtual ones included.
func (s *Store) TORIDs(ctx context.Context) (map[string]bool, error) {
	out := map[string]bool{}
	err := s.each(ctx, Q(`SELECT id FROM tors`), func(scan func(...any) error) error {
		var id string
		err := scan(&id)
		out[id] = true
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list TORs: %w", err)
	}
	return out, nil
}

// TORExists reports whether a TOR is stored.
func (s *Store) TORExists(ctx context.Context, id string) (bool, error) {
	var n int64
	if err := s.one(ctx, Q(`SELECT COUNT(*) FROM tors WHERE id = ?`, id), &n); err != nil {
		return false, fmt.Errorf("look up TOR %s: %w", id, err)
	}
	return n > 0, nil
}

// NodeTOR gives the TOR a node is registered on.
func (s *Store) NodeTOR(ctx context.Context, node string) (string, error) {
	var tor string
	err := s.one(ctx, Q(`SELECT tor_id FROM nodes WHERE id = ?`, node), &tor)
	if err != nil {
		return "", fmt.Errorf("node %s: %w", node, err)
	}
	return tor, nil
}
