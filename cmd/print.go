package cmd

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/lipgloss/table"
)

var (
	headerStyle = lipgloss.NewStyle().Bold(true).Padding(0, 1)
	cellStyle   = lipgloss.NewStyle().Padding(0, 1)
	borderStyle = lipgloss.NewStyle().Foreground(lipgloss.Color("8"))
)

// printJSON writes v as indented JSON: the stable, scriptable form. The
// characters a terminal acts on are \u escapes (see safeJSON).
func (a *app) printJSON(v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	if _, err := a.io.Out.Write(safeJSON(b.Bytes())); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}

// printTable writes rows under headers: a lipgloss table on a terminal,
// tab-separated lines (headers first) when piped, CSV with -o csv. Every
// cell is escaped (see safe): a tab or newline inside a value never breaks
// a row, an ESC never reaches the terminal.
func (a *app) printTable(headers []string, rows [][]string) error {
	headers = safeAll(headers)
	safeRows := make([][]string, len(rows))
	for i, r := range rows {
		safeRows[i] = safeAll(r)
	}
	rows = safeRows
	if a.output == "csv" {
		w := csv.NewWriter(a.io.Out)
		w.Write(headers)
		w.WriteAll(rows) // flushes
		return w.Error()
	}
	if !a.io.TTY {
		var b strings.Builder
		b.WriteString(strings.Join(headers, "\t") + "\n")
		for _, r := range rows {
			b.WriteString(strings.Join(r, "\t") + "\n")
		}
		_, err := fmt.Fprint(a.io.Out, b.String())
		return err
	}
	t := table.New().Border(lipgloss.RoundedBorder()).BorderStyle(borderStyle).
		Headers(headers...).Rows(rows...).
		StyleFunc(func(row, _ int) lipgloss.Style {
			if row == table.HeaderRow {
				return headerStyle
			}
			return cellStyle
		})
	_, err := fmt.Fprintln(a.io.Out, t.Render())
	return err
}

// say writes a line of human text to stdout (never in JSON mode), escaped
// (see safe): one line, whatever the values hold.
func (a *app) say(format string, args ...any) {
	if !a.json() {
		fmt.Fprintln(a.io.Out, safe(fmt.Sprintf(format, args...)))
	}
}
