// Package cmd is netipam's command line: cobra commands built by
// constructors, streams injected so that output is testable, errors mapped
// to exit codes in one place (exit.go), output as tables (lipgloss on a
// terminal) or as json, csv and tsv.
//
// It owns flags, their parsing (every duration flag is a topo.Duration)
// and output. It holds no rule: what a command does directly, --server
// does the same way because both call the same ipam.Service (the store in
// process through ipam/local, or the server through server.Client). It
// writes no SQL of its own outside `netipam sql`, and nothing imports it
// but main.
package cmd
