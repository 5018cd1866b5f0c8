package cmd

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
)

// sqlWriter prints a query's rows as they come: TSV when piped, CSV, or
// JSON ({"columns": [...], "rows": [{...}], "truncated": false}); only a
// terminal table waits for the last row (at most --limit). After stop it
// drops everything: the query goroutine may still be running when the
// command returns.
type sqlWriter struct {
	a       *app
	mu      sync.Mutex
	stopped bool
	out     *bufio.Writer
	csv     *csv.Writer
	cols    []string
	rows    [][]string // terminal table only
	n       int
}

func newSQLWriter(a *app) *sqlWriter {
	w := &sqlWriter{a: a, out: bufio.NewWriter(a.io.Out)}
	if a.output == "csv" {
		w.csv = csv.NewWriter(w.out)
	}
	return w
}

func (w *sqlWriter) stop() {
	w.mu.Lock()
	w.stopped = true
	w.mu.Unlock()
}

func (w *sqlWriter) tty() bool { return w.a.io.TTY && !w.a.json() && w.csv == nil }

func (w *sqlWriter) Columns(cols []string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped {
		return nil
	}
	w.cols = append([]string(nil), cols...)
	switch {
	case w.a.json():
		b, err := json.Marshal(w.cols)
		if err != nil {
			return fmt.Errorf("write json: %w", err)
		}
		fmt.Fprintf(w.out, "{\n  \"columns\": %s,\n  \"rows\": [", safeJSON(b))
	case w.csv != nil:
		w.csv.Write(safeAll(w.cols))
	case w.tty():
	default:
		w.out.WriteString(strings.Join(safeAll(w.cols), "\t") + "\n")
	}
	return nil
}

func (w *sqlWriter) Row(vals []any) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped {
		return nil
	}
	if w.a.json() {
		return w.jsonRow(vals)
	}
	cells := make([]string, len(vals))
	for i, v := range vals {
		if v != nil {
			cells[i] = safe(fmt.Sprint(v))
		}
	}
	switch {
	case w.csv != nil:
		return w.csv.Write(cells)
	case w.tty():
		w.rows = append(w.rows, cells)
	default:
		_, err := w.out.WriteString(strings.Join(cells, "\t") + "\n")
		return err
	}
	return nil
}

// jsonRow writes one row as an object whose keys keep the column order.
func (w *sqlWriter) jsonRow(vals []any) error {
	if w.n > 0 {
		w.out.WriteByte(',')
	}
	w.n++
	w.out.WriteString("\n    {")
	for i, v := range vals {
		k, err := json.Marshal(w.cols[i])
		if err != nil {
			return fmt.Errorf("write json: %w", err)
		}
		val, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("write json: %w", err)
		}
		if i > 0 {
			w.out.WriteString(", ")
		}
		w.out.Write(safeJSON(k))
		w.out.WriteString(": ")
		w.out.Write(safeJSON(val))
	}
	w.out.WriteByte('}')
	return nil
}

// finish ends the output; truncated says rows were left unread.
func (w *sqlWriter) finish(truncated bool) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case w.a.json():
		if w.n > 0 {
			w.out.WriteString("\n  ")
		}
		fmt.Fprintf(w.out, "],\n  \"truncated\": %t\n}\n", truncated)
	case w.csv != nil:
		w.csv.Flush()
		if err := w.csv.Error(); err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
	case w.tty():
		if err := w.out.Flush(); err != nil {
			return err
		}
		return w.a.printTable(w.cols, w.rows)
	}
	if err := w.out.Flush(); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}
