package topo

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Error is one problem in a topology or nodes file: where it is and what to
// do about it. File and Line are empty when the value did not come from a
// file (Validate on a Topology built in code).
type Error struct {
	File  string
	Line  int
	Field string // path such as zones[0].pods[1].tors[0].subnets[2].cidr
	Msg   string
}

// Error formats the problem as file:line: field: msg.
func (e *Error) Error() string {
	var b strings.Builder
	switch {
	case e.File != "" && e.Line > 0:
		b.WriteString(e.File + ":" + strconv.Itoa(e.Line) + ": ")
	case e.File != "":
		b.WriteString(e.File + ": ")
	case e.Line > 0:
		b.WriteString("line " + strconv.Itoa(e.Line) + ": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is every problem found in one file, sorted by line.
type Errors []*Error

// Error joins the problems with newlines.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// err returns es sorted by line as an error, or nil when es is empty.
func (es Errors) err() error {
	if len(es) == 0 {
		return nil
	}
	slices.SortStableFunc(es, func(a, b *Error) int { return a.Line - b.Line })
	return es
}

// positions remembers where each field of a parsed file was, so that the
// validation of the decoded values can name file and line. Fields are keyed
// by their logical path (the one validation computes); alias maps a logical
// path to the path written in the file when they differ (an exclude range
// that became several prefixes).
type positions struct {
	file  string
	lines map[string]int
	alias map[string]string
}

func newPositions(file string) *positions {
	return &positions{file: file, lines: map[string]int{}, alias: map[string]string{}}
}

// set records the line of a field.
func (p *positions) set(field string, line int) {
	if _, ok := p.lines[field]; !ok {
		p.lines[field] = line
	}
}

// has reports whether field was written in the file.
func (p *positions) has(field string) bool {
	if p == nil {
		return false
	}
	_, ok := p.lines[field]
	return ok
}

// at returns the file field name and line of a logical field, falling back
// to the nearest enclosing field written in the file.
func (p *positions) at(field string) (string, int) {
	if p == nil {
		return field, 0
	}
	name := field
	if a, ok := p.alias[field]; ok {
		name = a
	}
	for f := field; f != ""; f = parentField(f) {
		if l, ok := p.lines[f]; ok {
			return name, l
		}
	}
	return name, 0
}

// parentField strips the last component of a field path:
// a.b[1].c -> a.b[1] -> a.b -> a -> "".
func parentField(f string) string {
	i := strings.LastIndexAny(f, ".[")
	if i < 0 {
		return ""
	}
	return f[:i]
}

// errorf builds an Error for a logical field.
func (p *positions) errorf(field, format string, args ...any) *Error {
	name, line := p.at(field)
	e := &Error{Field: name, Line: line, Msg: fmt.Sprintf(format, args...)}
	if p != nil {
		e.File = p.file
	}
	return e
}
