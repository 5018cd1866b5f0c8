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
	// Kind is the kind of failure (ErrNotFound, ErrConflict, ...) when it is
	// not a plain mistake in the file: an unknown TOR is "not found", a
	// subnet still holding allocations a "conflict". Nil means invalid input.
	Kind error
}

// Unwrap gives the kind, so that errors.Is(err, ErrNotFound) holds.
func (e *Error) Unwrap() error { return e.Kind }

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

// Unwrap gives the problems, so that errors.Is sees their kinds.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
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
	// stored names the entities of a merged topology that come from the
	// store, not the file, by their logical path: "stored pod pod-9".
	stored map[string]string
}

func newPositions(file string) *positions {
	return &positions{file: file, lines: map[string]int{}, alias: map[string]string{}, stored: map[string]string{}}
}

// storedName names a field of an entity kept from the store, or reports
// false when the field comes from the file.
func (p *positions) storedName(field string) (string, bool) {
	if p == nil || len(p.stored) == 0 {
		return "", false
	}
	for f := field; f != ""; f = parentField(f) {
		desc, ok := p.stored[f]
		if !ok {
			continue
		}
		switch rest := strings.TrimPrefix(field[len(f):], "."); rest {
		case "", "id", "cidr":
			return desc, true
		default:
			return desc + " " + rest, true
		}
	}
	return "", false
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
	if name, ok := p.storedName(field); ok {
		return name, 0
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
	if _, stored := p.storedName(field); p != nil && !stored {
		e.File = p.file
	}
	return e
}
