package cmd

import (
	"fmt"
	"math"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/lipgloss/table"

	"github.com/netipam/netipam/alloc"
)

// On a terminal, usage and forecast tables show each row's use as a bar
// (coloured by how close it is to the expansion threshold); piped, CSV and
// JSON keep the plain percentage, so that scripts read what they always
// did.

// barWidth is the cells of a bar.
const barWidth = 12

var (
	barLow  = lipgloss.NewStyle().Foreground(lipgloss.Color("2")) // green: under 60%
	barMid  = lipgloss.NewStyle().Foreground(lipgloss.Color("3")) // yellow: under the threshold
	barHigh = lipgloss.NewStyle().Foreground(lipgloss.Color("1")) // red: at or past the threshold
)

// useCell is a use column's cell: the percentage, after a bar on a
// terminal.
type useCell struct {
	used     uint64
	capacity alloc.AddrCount
}

func (a *app) barsOn() bool { return a.io.TTY && a.output != "csv" && !a.json() }

// ratio is the cell's use, 0 to 1.
func (u useCell) ratio() float64 {
	if u.capacity.IsZero() {
		return 0
	}
	return math.Min(float64(u.used)/u.capacity.Float(), 1)
}

// text writes the cell: "42.0%", or "█████░░░░░░░  42.0%" with bars.
func (u useCell) text(bars bool) string {
	p := percent(u.used, u.capacity)
	if !bars {
		return p
	}
	filled := int(math.Round(u.ratio() * barWidth))
	if filled == 0 && u.used > 0 && !u.capacity.IsZero() {
		filled = 1 // something is used: show it
	}
	return strings.Repeat("█", filled) + strings.Repeat("░", barWidth-filled) + fmt.Sprintf(" %6s", p)
}

// style colours a bar by its ratio against the threshold.
func (u useCell) style(threshold float64) lipgloss.Style {
	switch r := u.ratio(); {
	case r >= threshold:
		return barHigh
	case r >= 0.6:
		return barMid
	}
	return barLow
}

// printUseTable is printTable for tables with a use column (col): on a
// terminal the column holds coloured bars, anywhere else the percentage.
func (a *app) printUseTable(headers []string, rows [][]string, col int, uses []useCell, threshold float64) error {
	bars := a.barsOn()
	for i := range rows {
		rows[i][col] = uses[i].text(bars)
	}
	if !bars {
		return a.printTable(headers, rows)
	}
	headers = safeAll(headers)
	safeRows := make([][]string, len(rows))
	for i, r := range rows {
		safeRows[i] = safeAll(r)
	}
	t := table.New().Border(lipgloss.RoundedBorder()).BorderStyle(borderStyle).
		Headers(headers...).Rows(safeRows...).
		StyleFunc(func(row, c int) lipgloss.Style {
			switch {
			case row == table.HeaderRow:
				return headerStyle
			case c == col && row >= 0 && row < len(uses):
				return cellStyle.Inherit(uses[row].style(threshold))
			}
			return cellStyle
		})
	_, err := fmt.Fprintln(a.io.Out, t.Render())
	return err
}
