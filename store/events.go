package store

import (
	"context"
	"fmt"
	"time"
)

// event appends e to the ledger; its ID, time and actor come from the
// store.
func (s *Store) event(e Event) Stmt {
	return Q(`INSERT INTO events (at, kind, actor, address, subnet, node_id, tor_id, purpose,
		container, ifname, network, pod_ns, pod_name, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.stamp(), e.Kind, s.Actor, e.Address, e.Subnet, e.Node, e.TOR, e.Purpose,
		e.Container, e.IfName, e.Network, e.PodNS, e.PodName, e.Detail)
}

// Event is one row of the append-only ledger.
type Event struct {
	ID        int64     `json:"id"`
	At        time.Time `json:"at"`
	Kind      string    `json:"kind"`
	Actor     string    `json:"actor"`
	Address   string    `json:"address,omitempty"`
	Subnet    string    `json:"subnet,omitempty"`
	Node      string    `json:"node,omitempty"`
	TOR       string    `json:"tor,omitempty"`
	Purpose   string    `json:"purpose,omitempty"`
	Container string    `json:"container,omitempty"`
	IfName    string    `json:"ifname,omitempty"`
	Network   string    `json:"network,omitempty"`
	PodNS     string    `json:"pod_namespace,omitempty"`
	PodName   string    `json:"pod_name,omitempty"`
	Detail    string    `json:"detail,omitempty"`
}

// EventFilter selects ledger rows; empty fields match everything.
type EventFilter struct {
	Address, Container, Kind, Detail string
	Limit                            int
}

// Events reads the ledger, oldest first.
func (s *Store) Events(ctx context.Context, f EventFilter) ([]Event, error) {
	where, args := "1 = 1", []any{}
	for _, c := range []struct{ col, v string }{
		{"address", f.Address}, {"container", f.Container}, {"kind", f.Kind}, {"detail", f.Detail},
	} {
		if c.v != "" {
			where += " AND " + c.col + " = ?"
			args = append(args, c.v)
		}
	}
	q := `SELECT ` + eventCols + ` FROM events WHERE ` + where + ` ORDER BY id`
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	return s.readEvents(ctx, Q(q, args...))
}

// released reads back the ledger rows one release wrote, by its token,
// through the partial index events_release.
func (s *Store) released(ctx context.Context, token string) ([]Event, error) {
	return s.readEvents(ctx, Q(`SELECT `+eventCols+` FROM events
		WHERE kind IN ('release', 'gc') AND detail = ? ORDER BY id`, token))
}

const eventCols = `id, at, kind, actor, address, subnet, node_id, tor_id, purpose, container, ifname, network,
	pod_ns, pod_name, detail`

func (s *Store) readEvents(ctx context.Context, st Stmt) ([]Event, error) {
	var out []Event
	err := s.each(ctx, st, func(scan func(...any) error) error {
		var e Event
		var at string
		if err := scan(&e.ID, &at, &e.Kind, &e.Actor, &e.Address, &e.Subnet, &e.Node, &e.TOR,
			&e.Purpose, &e.Container, &e.IfName, &e.Network, &e.PodNS, &e.PodName, &e.Detail); err != nil {
			return err
		}
		e.At = parseStamp(at)
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	return out, nil
}
