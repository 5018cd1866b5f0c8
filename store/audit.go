package store

import (
	"context"
	"fmt"
	"strings"
)

// Table is the result of an ad-hoc query.
type Table struct {
	Columns []string
	Rows    [][]any
}

// ReadOnly runs an operator's query on a read-only connection: the engine
// itself refuses writes (SQLite's query_only; rqlite's query endpoint), so
// no statement can change the store, however it is written.
func (s *Store) ReadOnly(ctx context.Context, query string) (*Table, error) {
	if strings.TrimSpace(query) == "" {
		return nil, fmt.Errorf("empty query: %w", ErrReadOnly)
	}
	rows, err := s.db.Query(ctx, Q(query))
	if err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, fmt.Errorf("query columns: %w", err)
	}
	t := &Table{Columns: cols}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("query: %w", err)
		}
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				vals[i] = string(b)
			}
		}
		t.Rows = append(t.Rows, vals)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	return t, nil
}
