package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/netipam/netipam/topo"
)

// settingExpansion is the settings key of the topology's expansion: block.
const settingExpansion = "expansion"

// Expansion reads the stored expansion settings; nil when the topology
// declares none (the defaults apply, see topo.Expansion.Resolved). A stored
// value netipam cannot use (out of the bounds topo import enforces, written
// by hand in SQL, or not readable at all) is ignored: its default applies,
// and ExpansionProblems names it (`netipam check` reports it, `netipam
// serve` logs it), so that one bad row never stops every TOR.
func (s *Store) Expansion(ctx context.Context) (*topo.Expansion, error) {
	e, _, err := s.expansion(ctx)
	return e, err
}

// ExpansionProblems lists the stored expansion settings Expansion ignores.
func (s *Store) ExpansionProblems(ctx context.Context) ([]topo.SettingProblem, error) {
	_, ps, err := s.expansion(ctx)
	return ps, err
}

// expansion reads the stored settings and checks them: the usable part,
// and a problem per value it left out.
func (s *Store) expansion(ctx context.Context) (*topo.Expansion, []topo.SettingProblem, error) {
	var v string
	err := s.one(ctx, Q(`SELECT value FROM settings WHERE key = ?`, settingExpansion), &v)
	if errors.Is(err, ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read the expansion settings: %w", err)
	}
	e, ps := decodeExpansion(v)
	e, more := e.Checked()
	return e, append(ps, more...), nil
}

// decodeExpansion decodes a stored value. Unknown fields are a problem
// (the rest is kept); a value that does not decode is ignored whole.
func decodeExpansion(v string) (*topo.Expansion, []topo.SettingProblem) {
	var e topo.Expansion
	dec := json.NewDecoder(strings.NewReader(v))
	dec.DisallowUnknownFields()
	err := dec.Decode(&e)
	if err == nil {
		return &e, nil
	}
	fix := "run topo import with the topology file's expansion: block to rewrite it"
	e = topo.Expansion{}
	if json.Unmarshal([]byte(v), &e) != nil {
		return nil, []topo.SettingProblem{{Field: "expansion",
			Message: fmt.Sprintf("stored value %s is not readable (%v): every expansion setting takes its default; %s", topo.Quote(v), err, fix)}}
	}
	return &e, []topo.SettingProblem{{Field: "expansion",
		Message: fmt.Sprintf("stored value %s: %v: that field is ignored; %s", topo.Quote(v), err, fix)}}
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
