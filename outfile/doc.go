// Package outfile is how netipam writes every file it writes (a backup,
// an events archive, the outputs of migrate host-local-config): whole, into
// a temporary file beside the target that is synced and renamed over it,
// and only to a target that is safe to replace. A target is refused
// (topo.ErrInvalid, naming it) when it is one of the store's own files
// (the database or its -wal, -shm or -journal, through whatever path: the
// same directory and name, or the same device and inode), when it is not a
// regular file (a directory, a device such as /dev/null, a pipe, a
// socket), or when it is a symbolic link, dangling or not. An existing
// regular file is replaced only with Force.
//
// It imports topo (for its error kinds) and the standard library only: no
// SQL, no cobra, no HTTP.
package outfile
