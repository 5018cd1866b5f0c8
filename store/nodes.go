package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/netipam/netipam/topo"
)

// VirtualTOR names the TOR a node registered without one gets: the seed's
// compatibility mode, one virtual TOR per node.
func VirtualTOR(node string) string { return "virtual-" + node }

// NodeRow is a stored node with where it sits and what it holds.
type NodeRow struct {
	topo.Node
	Pod       string
	Zone      string
	Allocated int64
}

// UpsertNodes registers nodes (or updates them) in one atomic batch. A node
// without a TOR gets a virtual TOR of its own. The schema refuses an unknown
// TOR and moving a node that holds allocations to another TOR.
func (s *Store) UpsertNodes(ctx context.Context, nodes []topo.Node) error {
	now := s.stamp()
	var b []Stmt
	for _, n := range nodes {
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
