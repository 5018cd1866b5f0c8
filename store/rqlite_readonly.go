package store

import (
	"fmt"
	"strings"
)

// readStatements are the statements netipam sends to rqlite's query
// endpoint: the first word of each.
var readStatements = map[string]bool{"select": true, "with": true, "values": true, "pragma": true, "explain": true}

// checkRqliteQuery refuses, before sending, what rqlite's query endpoint
// would accept although it is not a plain read. rqlite runs queries on
// SQLite connections shared by every client of the member and refuses any
// statement SQLite does not report read-only, so no query changes the
// data; but SQLite reports ATTACH and DETACH read-only, and rqlite then
// creates the attached file on the member's disk and keeps it attached for
// other clients; a PRAGMA that sets something (case_sensitive_like,
// foreign_keys, ...) would change those shared connections; and several
// statements in one text are only half checked by rqlite (the first one).
// netipam cannot reach rqlite's engine, so only the statements that read
// are sent: SELECT, WITH, VALUES, EXPLAIN, and the PRAGMAs that describe
// (describingPragmas, as on SQLite). netipam's own queries are single
// SELECT statements, so this only ever refuses an operator's `netipam sql`.
func checkRqliteQuery(sql string) error {
	stmts := splitStatements(sql)
	if len(stmts) > 1 {
		return fmt.Errorf("%w: one statement at a time (rqlite)", ErrReadOnly)
	}
	if len(stmts) == 0 {
		return nil
	}
	s := stmts[0]
	f := strings.Fields(strings.ReplaceAll(s, "(", " ( "))
	if len(f) == 0 {
		return nil
	}
	first := strings.ToLower(f[0])
	if !readStatements[first] {
		return fmt.Errorf("%w: %s is not a read: rqlite takes SELECT, WITH, VALUES, EXPLAIN and PRAGMAs that describe",
			ErrReadOnly, strings.ToUpper(first))
	}
	if first != "pragma" {
		return nil
	}
	rest := strings.TrimSpace(s[len(f[0]):])
	name, arg, hasArg := strings.Cut(rest, "(")
	name, _, hasEq := strings.Cut(name, "=")
	name = strings.ToLower(strings.TrimSpace(name))
	if i := strings.LastIndex(name, "."); i >= 0 { // schema.pragma
		name = strings.TrimSpace(name[i+1:])
	}
	takesArg, ok := describingPragmas[name]
	switch {
	case !ok, hasEq, hasArg && !takesArg && strings.Trim(arg, " )") != "":
		return fmt.Errorf("%w: PRAGMA %s sets a value or is not one that only describes (rqlite shares its read connections)",
			ErrReadOnly, name)
	}
	return nil
}

// splitStatements cuts SQL text at semicolons outside string literals,
// quoted identifiers and comments, and returns the non-empty statements
// with literals and comments blanked out (enough to find keywords).
func splitStatements(sql string) []string {
	var out []string
	var cur strings.Builder
	flush := func() {
		if s := strings.TrimSpace(cur.String()); s != "" {
			out = append(out, s)
		}
		cur.Reset()
	}
	for i := 0; i < len(sql); i++ {
		c := sql[i]
		switch {
		case c == '\'' || c == '"' || c == '`' || c == '[':
			end := c
			if c == '[' {
				end = ']'
			}
			j := i + 1
			for ; j < len(sql); j++ {
				if sql[j] == end {
					if end != ']' && j+1 < len(sql) && sql[j+1] == end { // doubled quote
						j++
						continue
					}
					break
				}
			}
			cur.WriteString(" _ ")
			i = j
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-':
			for i < len(sql) && sql[i] != '\n' {
				i++
			}
			cur.WriteByte(' ')
		case c == '/' && i+1 < len(sql) && sql[i+1] == '*':
			j := strings.Index(sql[i+2:], "*/")
			if j < 0 {
				i = len(sql)
			} else {
				i += j + 3
			}
			cur.WriteByte(' ')
		case c == ';':
			flush()
		default:
			cur.WriteByte(c)
		}
	}
	flush()
	return out
}
