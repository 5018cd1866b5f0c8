package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// adHoc runs an operator's query on a connection of its own that the
// engine makes read-only three times over: the file is opened mode=ro (no
// statement can write it, and query_only cannot be turned off at the file
// level), no database may be attached (SQLITE_LIMIT_ATTACHED 0, which also
// stops VACUUM INTO, an ATTACH underneath), and an authorizer lets SQLite
// compile nothing but reads. Nothing here looks at the words of the query.
func (db *sqliteDB) adHoc(ctx context.Context, query string) (Rows, func(), error) {
	pool, err := sql.Open("sqlite", db.readDSN)
	if err != nil {
		return nil, nil, fmt.Errorf("open %s read-only: %w", db.path, err)
	}
	pool.SetMaxOpenConns(1)
	conn, err := pool.Conn(ctx)
	if err != nil {
		pool.Close()
		return nil, nil, fmt.Errorf("open %s read-only: %w", db.path, translate(err))
	}
	closeAll := func() {
		conn.Close()
		pool.Close()
	}
	if _, err := sqlite.Limit(conn, sqlite3.SQLITE_LIMIT_ATTACHED, 0); err != nil {
		closeAll()
		return nil, nil, fmt.Errorf("forbid ATTACH: %w", err)
	}
	err = conn.Raw(func(dc any) error {
		r, ok := dc.(sqlite.AuthorizerRegisterer)
		if !ok {
			return fmt.Errorf("sqlite driver connection %T has no authorizer", dc)
		}
		return r.RegisterAuthorizer(readsOnly)
	})
	if err != nil {
		closeAll()
		return nil, nil, fmt.Errorf("install the read-only authorizer: %w", err)
	}
	rows, err := conn.QueryContext(ctx, query)
	if err != nil {
		closeAll()
		return nil, nil, translate(err)
	}
	return sqliteRows{rows}, func() {
		rows.Close()
		closeAll()
	}, nil
}

// readsOnly is the authorizer of adHoc: SELECT, reading columns, calling
// functions (but not load_extension), recursive CTEs and the PRAGMAs that
// only describe. Everything else, including every action SQLite may add
// later, is denied.
func readsOnly(action sqlite.AuthorizerActionCode, arg1, arg2, _, _ string) sqlite.AuthorizerReturnCode {
	switch action {
	case sqlite.AuthSelect, sqlite.AuthRead, sqlite.AuthRecursive:
		return sqlite.AuthorizerOK
	case sqlite.AuthFunction:
		if strings.EqualFold(arg2, "load_extension") {
			return sqlite.AuthorizerDeny
		}
		return sqlite.AuthorizerOK
	case sqlite.AuthPragma:
		takesArg, ok := describingPragmas[strings.ToLower(arg1)]
		if ok && (arg2 == "" || takesArg) {
			return sqlite.AuthorizerOK
		}
	}
	return sqlite.AuthorizerDeny
}

// describingPragmas are the PRAGMAs that set nothing, and whether their
// argument only says what to describe (table_info(T)); the others are
// allowed without an argument only (user_version reads, user_version = 1
// would write).
var describingPragmas = map[string]bool{
	"table_info": true, "table_xinfo": true, "table_list": true, "index_info": true, "index_xinfo": true,
	"index_list": true, "foreign_key_list": true, "foreign_key_check": true, "integrity_check": true,
	"quick_check":   true,
	"database_list": false, "collation_list": false, "function_list": false, "module_list": false,
	"pragma_list": false, "compile_options": false, "schema_version": false, "user_version": false,
	"data_version": false, "page_count": false, "page_size": false, "freelist_count": false,
	"application_id": false, "encoding": false, "journal_mode": false, "foreign_keys": false,
	"query_only": false, "max_page_count": false, "auto_vacuum": false,
}
