package store

import "context"

// Stmt is one SQL statement with positional (?) arguments. Arguments are
// string, int64, float64 or nil: the types both backends carry unchanged.
type Stmt struct {
	SQL  string
	Args []any
	// Reuse says the text recurs (a few fixed shapes on a hot path): the
	// SQLite backend keeps it prepared instead of parsing it each time.
	Reuse bool
}

// Q builds a Stmt.
func Q(sql string, args ...any) Stmt { return Stmt{SQL: sql, Args: args} }

// Backend is the one seam between netipam and a SQL engine: the embedded
// SQLite file or an rqlite cluster. Neither offers netipam an interactive
// transaction; every mutation is one atomic batch.
type Backend interface {
	// Exec runs stmts as one atomic batch: all of them take effect or none
	// does. It returns the rows each statement affected.
	Exec(ctx context.Context, stmts ...Stmt) ([]int64, error)
	// Query runs one read-only statement.
	Query(ctx context.Context, st Stmt) (Rows, error)
	// Close releases the connection.
	Close() error
}

// Rows iterates over a query's result. Scan accepts *string, *int64,
// *float64 and *any (for ad-hoc audit queries); netipam's own queries
// COALESCE nullable columns so that NULL never reaches a typed destination.
type Rows interface {
	Columns() ([]string, error)
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close() error
}
