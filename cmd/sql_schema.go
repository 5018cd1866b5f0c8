package cmd

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/netipam/netipam/migrations"
	"github.com/netipam/netipam/store"
)

// schemaTable is one table of `netipam sql --schema -o json`.
type schemaTable struct {
	Table       string         `json:"table"`
	Description string         `json:"description"`
	Columns     []schemaColumn `json:"columns"`
}

type schemaColumn struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	NotNull     bool   `json:"not_null"`
	PrimaryKey  bool   `json:"primary_key"`
	Description string `json:"description"`
}

// printSchema prints every table of the store's live schema with a line
// on each column, described by migrations.Tables.
func printSchema(ctx context.Context, a *app) error {
	st, err := a.openRead(ctx)
	if err != nil {
		return err
	}
	cols, err := st.SchemaColumns(ctx)
	if err != nil {
		return err
	}
	tables := describeSchema(cols)
	if a.json() {
		return a.printJSON(tables)
	}
	var b strings.Builder
	for i, t := range tables {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%s: %s\n", safe(t.Table), safe(t.Description))
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		for _, c := range t.Columns {
			typ := c.Type
			if c.NotNull {
				typ += " NOT NULL"
			}
			if c.PrimaryKey {
				typ += " KEY"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", safe(c.Name), safe(typ), safe(c.Description))
		}
		tw.Flush()
	}
	_, err = fmt.Fprint(a.io.Out, b.String())
	return err
}

// describeSchema joins the live columns with their descriptions, tables in
// the order of migrations.Tables, then any the descriptions miss.
func describeSchema(cols []store.Column) []schemaTable {
	docs := map[string]migrations.TableDoc{}
	order := map[string]int{}
	for i, t := range migrations.Tables {
		docs[t.Name], order[t.Name] = t, i
	}
	byName := map[string]*schemaTable{}
	var out []*schemaTable
	for _, c := range cols {
		t := byName[c.Table]
		if t == nil {
			t = &schemaTable{Table: c.Table, Description: docs[c.Table].Doc}
			if _, ok := order[c.Table]; !ok {
				order[c.Table] = len(migrations.Tables) + len(out)
				t.Description = "(not described)"
			}
			byName[c.Table] = t
			out = append(out, t)
		}
		d, ok := docs[c.Table].Columns[c.Name]
		if !ok {
			d = "(not described)"
		}
		t.Columns = append(t.Columns, schemaColumn{Name: c.Name, Type: c.Type, NotNull: c.NotNull, PrimaryKey: c.PK, Description: d})
	}
	sort.SliceStable(out, func(i, j int) bool { return order[out[i].Table] < order[out[j].Table] })
	tables := make([]schemaTable, len(out))
	for i, t := range out {
		tables[i] = *t
	}
	return tables
}
