package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/netipam/netipam/migrations"
	"github.com/netipam/netipam/store"
)

// TestSchemaDocumented: every column of every table of the live schema
// (all migrations applied) has a description in migrations.Tables, and no
// description names a table or column that does not exist.
func TestSchemaDocumented(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite://"+filepath.Join(t.TempDir(), "netipam.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cols, err := st.SchemaColumns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(cols) == 0 {
		t.Fatal("the live schema has no columns")
	}
	docs := map[string]map[string]string{}
	for _, d := range migrations.Tables {
		if _, dup := docs[d.Name]; dup {
			t.Errorf("table %s is described twice", d.Name)
		}
		if d.Doc == "" {
			t.Errorf("table %s has no description", d.Name)
		}
		docs[d.Name] = d.Columns
	}
	live := map[string]map[string]bool{}
	for _, c := range cols {
		if live[c.Table] == nil {
			live[c.Table] = map[string]bool{}
		}
		live[c.Table][c.Name] = true
		if desc, ok := docs[c.Table][c.Name]; !ok || desc == "" {
			t.Errorf("column %s.%s has no description in migrations/schema_doc.go", c.Table, c.Name)
		}
	}
	for table, cs := range docs {
		if live[table] == nil {
			t.Errorf("migrations/schema_doc.go describes table %s, which the schema does not have", table)
			continue
		}
		for c := range cs {
			if !live[table][c] {
				t.Errorf("migrations/schema_doc.go describes column %s.%s, which the schema does not have", table, c)
			}
		}
	}
}
