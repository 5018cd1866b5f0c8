package store

import (
	"context"
	"fmt"
)

// RowWriter receives the result of an operator's query as it comes:
// Columns once, then Row for each row (values are nil, int64, float64 or
// string; the slice is reused between calls).
type RowWriter interface {
	Columns(cols []string) error
	Row(vals []any) error
}

// adHocQuerier is a backend that runs operators' queries on a connection
// the engine keeps read-only (SQLite); the others run them through Query,
// which is read-only on their side (rqlite's query endpoint).
type adHocQuerier interface {
	adHoc(ctx context.Context, query string) (Rows, func(), error)
}

// ReadOnlyQuery runs one operator's statement and streams at most maxRows
// rows to w (maxRows <= 0: no cap). It reports whether rows were left
// unread. The engine refuses any write (see adHoc); the statement count is
// checked here only to say "one at a time" clearly, the engine would refuse
// a second statement that writes all the same.
func (s *Store) ReadOnlyQuery(ctx context.Context, query string, maxRows int, w RowWriter) (truncated bool, err error) {
	stmts := splitStatements(query)
	switch {
	case len(stmts) == 0:
		return false, fmt.Errorf("%w: the query is empty: give one SELECT statement", ErrReadOnly)
	case len(stmts) > 1:
		return false, fmt.Errorf("%w: %d statements: give one statement at a time", ErrReadOnly, len(stmts))
	}
	var rows Rows
	done := func() {}
	if q, ok := s.db.(adHocQuerier); ok {
		rows, done, err = q.adHoc(ctx, query)
	} else {
		rows, err = s.db.Query(ctx, Q(query))
	}
	if err != nil {
		return false, fmt.Errorf("query: %w", err)
	}
	defer done()
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return false, fmt.Errorf("query columns: %w", err)
	}
	if err := w.Columns(cols); err != nil {
		return false, err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for n := 0; rows.Next(); n++ {
		if maxRows > 0 && n == maxRows {
			return true, nil
		}
		if err := rows.Scan(ptrs...); err != nil {
			return false, fmt.Errorf("query: %w", err)
		}
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				vals[i] = string(b)
			}
		}
		if err := w.Row(vals); err != nil {
			return false, err
		}
		if err := ctx.Err(); err != nil {
			return false, fmt.Errorf("query: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return false, fmt.Errorf("query: %w", err)
	}
	return false, nil
}
