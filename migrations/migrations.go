// Package migrations holds netipam's schema as forward-only SQL files,
// NNNN_name.sql, applied in order. A released file is never edited: a change
// to the schema is a new file.
package migrations

import "embed"

// FS holds every migration file.
//
//go:embed *.sql
var FS embed.FS
