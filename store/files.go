package store

import "github.com/netipam/netipam/outfile"

// Files are the local files of the store a URL names, which netipam never
// writes a backup, an archive or any other output over: a SQLite
// database and the -wal, -shm and -journal beside it. An rqlite store has
// none here; a URL that names no store gives none.
func Files(url string) []string {
	loc, err := ParseURL(url)
	if err != nil || loc.Scheme != "sqlite" {
		return nil
	}
	out := make([]string, len(outfile.StoreSuffixes))
	for i, s := range outfile.StoreSuffixes {
		out[i] = loc.Path + s
	}
	return out
}

// Files are the store's own local files (see the function Files).
func (s *Store) Files() []string { return Files(s.url) }
