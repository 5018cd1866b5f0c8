package api

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"strconv"
	"syscall"

	"github.com/netipam/netipam/topo"
)

// socketError: the server's unix socket is there but this process may not
// use it (permission denied), or the path is not a socket at all. That is
// how netipam was called, not a server that is down: the caller must not
// fall back to the store (which would hide the mistake, and on another
// host's copy of the store, allocate twice). It is topo.ErrInvalid.
type socketError struct{ err error }

func (e *socketError) Error() string   { return e.err.Error() }
func (e *socketError) Unwrap() []error { return []error{e.err, topo.ErrInvalid} }

// socketProblem says why connecting to the unix socket path failed with
// err when the cause is on this side (permission denied, not a socket), or
// gives nil for a server that is not there (no file, connection refused).
func socketProblem(path string, err error) error {
	fi, serr := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrPermission) || errors.Is(serr, fs.ErrPermission):
		if serr != nil {
			return &socketError{fmt.Errorf("connect to netipam server socket %s: permission denied on a directory above it (%v): "+
				"let this user (uid %d) reach the directory, or run as root", path, serr, os.Geteuid())}
		}
		owner := "group " + groupName(fi)
		return &socketError{fmt.Errorf("connect to netipam server socket %s: permission denied: the socket is mode %v, owned by %s, and this process runs as uid %d gid %d: "+
			"add the user to %s (usermod -aG %s USER, then log in again; serve --socket-group sets the group), or run as root",
			path, fi.Mode().Perm(), owner, os.Geteuid(), os.Getegid(), owner, groupName(fi))}
	case serr == nil && fi.Mode()&fs.ModeSocket == 0:
		what := "a regular file"
		if fi.IsDir() {
			what = "a directory"
		} else if !fi.Mode().IsRegular() {
			what = "not a socket (" + fi.Mode().Type().String() + ")"
		}
		return &socketError{fmt.Errorf("connect to netipam server socket %s: it is %s, not a socket: "+
			"name the socket netipam serve listens on (serve --listen unix:///path/to.sock)", path, what)}
	}
	return nil
}

// groupName names the group owning a file: its name, else its id.
func groupName(fi fs.FileInfo) string {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return "?"
	}
	id := strconv.FormatUint(uint64(st.Gid), 10)
	if g, err := user.LookupGroupId(id); err == nil {
		return g.Name
	}
	return id
}
