package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/netipam/netipam/topo"
)

// settingExpansion is the settings key of the topology's expansion: block.
const settingExpansion = "expansion"

// Expansion reads the stored expansion settings; nil when the topology
// declares none (the defaults apply, see topo.Expansion.Resolved).
func (s *Store) Expansion(ctx context.Context) (*topo.Expansion, error) {
	var v string
	err := s.one(ctx, Q(`SELECT value FROM settings WHERE key = ?`, settingExpansion), &v)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the expansion settings: %w", err)
	}
	var e topo.Expansion
	if err := json.Unmarshal([]byte(v), &e); err != nil {
		return nil, fmt.Errorf("read the expansion settings: stored value %q: %w", v, err)
	}
	return &e, nil
}

// expansionRows writes (or, for nil, removes) the expansion settings.
func expansionRows(e *topo.Expansion, now string) ([]Stmt, error) {
	if e == nil {
		return []Stmt{Q(`DELETE FROM settings WHERE key = ?`, settingExpansion)}, nil
	}
	b, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("encode the expansion settings: %w", err)
	}
	return []Stmt{Q(`INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
		settingExpansion, string(b), now)}, nil
}
