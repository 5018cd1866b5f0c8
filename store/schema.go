package store

import (
	"context"
	"fmt"
)

// Column is one column of a table of the live schema.
type Column struct {
	Table, Name, Type string
	NotNull, PK       bool
}

// SchemaColumns reads every column of every table of the store's schema
// (SQLite's own tables left out), by table name and column order.
func (s *Store) SchemaColumns(ctx context.Context) ([]Column, error) {
	var out []Column
	err := s.each(ctx, Q(`SELECT m.name, p.name, p.type, p."notnull", p.pk
		FROM sqlite_master m, pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid`),
		func(scan func(...any) error) error {
			var c Column
			var notNull, pk int64
			if err := scan(&c.Table, &c.Name, &c.Type, &notNull, &pk); err != nil {
				return err
			}
			c.NotNull, c.PK = notNull == 1, pk > 0
			out = append(out, c)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("read the schema: %w", err)
	}
	return out, nil
}
