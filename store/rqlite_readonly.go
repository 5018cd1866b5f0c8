package store

import (
	"fmt"
	"strings"
)

// introspectionPragmas take an argument only to say what to describe.
var introspectionPragmas = map[string]bool{
	"table_info": true, "table_xinfo": true, "table_list": true, "index_info": true, "index_xinfo": true,
	"index_list": true, "foreign_key_list": true, "foreign_key_check": true, "integrity_check": true,
	"quick_check": true,
}

// checkRqliteQuery refuses, before sending, what rqlite's query endpoint
// would accept although it is not a plain read. rqlite runs queries on
// read-only SQLite connections shared by every client of the member and
// refuses any statement SQLite does not report read-only, so no query can
// change the data; but a PRAGMA that sets something (case_sensitive_like,
// foreign_keys, ...) would change those shared connections for other
// clients, and several statements in one text are only half checked by
// rqlite (the first one). netipam's own queries are single statements
// without PRAGMA, so this only ever refuses an operator's `netipam sql`.
func checkRqliteQuery(sql string) error {
	stmts := splitStatements(sql)
	if len(stmts) > 1 {
		return fmt.Errorf("%w: one statement at a time (rqlite)", ErrReadOnly)
	}
	if len(stmts) == 0 {
		return nil
	}
	s := stmts[0]
	if f := strings.Fields(s); len(f) > 0 && strings.EqualFold(f[0], "pragma") {
		rest := strings.TrimSpace(s[len(f[0]):])
		name, _, hasArg := strings.Cut(rest, "(")
		name = strings.ToLower(strings.TrimSpace(name))
		if i := strings.LastIndex(name, "."); i >= 0 { // schema.pragma
			name = strings.TrimSpace(name[i+1:])
		}
		if strings.Contains(rest, "=") || (hasArg && !introspectionPragmas[name]) {
			return fmt.Errorf("%w: PRAGMA %s sets a value (rqlite shares its read connections)", ErrReadOnly, name)
		}
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
