package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/netipam/netipam/topo"
)

// NodeSync is a set of node changes applied together: what a node list
// from elsewhere (Kubernetes) says the registered nodes are.
type NodeSync struct {
	// Upsert registers these nodes or updates their name, TOR and labels;
	// a stored node's preferences are kept. Each node names its TOR.
	Upsert []topo.Node
	// Remove unregisters these nodes, each only if it holds no address.
	Remove []string
	// Detail is recorded in each node event ("kubernetes").
	Detail string
}

// SyncNodes applies a NodeSync in one atomic batch. A node that changes is
// recorded in the ledger; one that is already as given writes nothing, so
// applying the same sync twice changes nothing the second time. A node
// holding addresses cannot move to another TOR, and every unknown TOR is
// named (checkNodes, with the schema's triggers as backstop). A node to
// remove that holds an address when the batch runs is kept, its event not
// written: the condition is the statements' own.
func (s *Store) SyncNodes(ctx context.Context, sync NodeSync) error {
	for _, n := range sync.Upsert {
		if n.TOR == "" {
			return fmt.Errorf("sync node %s: %w", n.ID, topo.Errorf(topo.ErrInvalid, "no TOR given"))
		}
	}
	if err := s.checkNodes(ctx, sync.Upsert); err != nil {
		return err
	}
	now := s.stamp()
	b := make([]Stmt, 0, 2*(len(sync.Upsert)+len(sync.Remove)))
	for i, n := range sync.Upsert {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("sync nodes: %w", err)
			}
		}
		labels, err := json.Marshal(orEmpty(n.Labels))
		if err != nil {
			return fmt.Errorf("encode labels of %s: %w", n.ID, err)
		}
		// The event first, written only when the row is about to change.
		b = append(b,
			Q(`INSERT INTO events (at, kind, actor, node_id, tor_id, detail)
				SELECT ?, 'node', ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM nodes
				WHERE id = ? AND name = ? AND tor_id = ? AND labels = ?)`,
				now, s.Actor, n.ID, n.TOR, "register "+sync.Detail, n.ID, n.Name, n.TOR, string(labels)),
			Q(`INSERT INTO nodes (id, name, tor_id, labels, preferences, created_at) VALUES (?, ?, ?, ?, '[]', ?)
				ON CONFLICT (id) DO UPDATE SET name = excluded.name, tor_id = excluded.tor_id, labels = excluded.labels
				WHERE name <> excluded.name OR tor_id <> excluded.tor_id OR labels <> excluded.labels`,
				n.ID, n.Name, n.TOR, string(labels), now))
	}
	for _, id := range sync.Remove {
		b = append(b,
			Q(`INSERT INTO events (at, kind, actor, node_id, tor_id, detail)
				SELECT ?, 'node', ?, id, tor_id, ? FROM nodes
				WHERE id = ? AND NOT EXISTS (SELECT 1 FROM allocations WHERE node_id = ?)`,
				now, s.Actor, "remove "+sync.Detail, id, id),
			Q(`DELETE FROM nodes WHERE id = ? AND NOT EXISTS (SELECT 1 FROM allocations WHERE node_id = ?)`, id, id))
	}
	if len(b) == 0 {
		return nil
	}
	if _, err := s.db.Exec(ctx, b...); err != nil {
		return fmt.Errorf("sync nodes: %w", err)
	}
	return nil
}
