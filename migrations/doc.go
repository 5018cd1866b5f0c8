// Package migrations holds netipam's schema as forward-only SQL files,
// NNNN_name.sql, applied in order, and the embed.FS that holds them. A
// released file is never edited: a change to the schema is a new file.
//
// It holds files only: no Go logic, and it imports nothing but embed. The
// store applies the files (store/migrate.go).
package migrations
