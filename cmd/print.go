package cmd

import (
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

// printJSON writes v as indented JSON: the stable, scriptable form.
func (a *app) printJSON(v any) error {
	enc := json.NewEncoder(a.io.Out)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}

// printTable writes rows under headers: a lipgloss table on a terminal,
// tab-separated lines (headers first) when piped, CSV with -o csv.
func (a *app) printTable(headers []string, rows [][]string) error {
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

// say writes a line of human text to stdout (never in JSON mode).
func (a *app) say(format string, args ...any) {
	if !a.json() {
		fmt.Fprintf(a.io.Out, format+"\n", args...)
	}
}

func percent(used, capacity uint64) string {
	if capacity == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(used)/float64(capacity))
}
