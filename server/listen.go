package server

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"os/user"
	"strconv"
	"syscall"
	"time"

	"github.com/netipam/netipam/topo"
)

// listener is one --listen: the socket, and whether requests on it need
// the bearer token (TCP).
type listener struct {
	net.Listener
	url   string
	isTCP bool
}

// ListenOptions are what the listeners need besides their URLs.
type ListenOptions struct {
	// SocketGroup owns unix sockets (name or numeric id); empty keeps the
	// process's group.
	SocketGroup string
	// TLSCert and TLSKey, both or neither, make TCP listeners TLS.
	TLSCert, TLSKey string
}

// listen opens one --listen URL: unix:///path/to.sock (mode 0660) or
// tcp://host:port.
func listen(raw string, o ListenOptions) (*listener, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, topo.Errorf(topo.ErrInvalid, "--listen %.100q: %v: use unix:///path/to.sock or tcp://host:port", raw, err)
	}
	switch {
	case u.Scheme == "unix" && u.Host == "" && u.Path != "":
		l, err := listenUnix(u.Path, o.SocketGroup)
		if err != nil {
			return nil, err
		}
		return &listener{Listener: l, url: raw}, nil
	case u.Scheme == "tcp" && u.Host != "" && (u.Path == "" || u.Path == "/"):
		l, err := net.Listen("tcp", u.Host)
		if err != nil {
			return nil, fmt.Errorf("--listen %s: %w", raw, err)
		}
		if o.TLSCert != "" {
			cert, err := tls.LoadX509KeyPair(o.TLSCert, o.TLSKey)
			if err != nil {
				l.Close()
				return nil, topo.Errorf(topo.ErrInvalid, "--tls-cert %s / --tls-key %s: %w", o.TLSCert, o.TLSKey, err)
			}
			l = tls.NewListener(l, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
		}
		return &listener{Listener: l, url: raw, isTCP: true}, nil
	}
	return nil, topo.Errorf(topo.ErrInvalid, "--listen %.100q: use unix:///path/to.sock or tcp://host:port", raw)
}

// listenUnix creates a unix socket with mode 0660, group gid when given.
// A socket file left by a server that is gone is removed; one a server
// still listens on is an error.
func listenUnix(path, group string) (net.Listener, error) {
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode().Type() != fs.ModeSocket {
			return nil, topo.Errorf(topo.ErrInvalid, "--listen unix://%s: the file exists and is not a socket: choose another path", path)
		}
		if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
			c.Close()
			return nil, topo.Errorf(topo.ErrConflict, "--listen unix://%s: a server already listens there: stop it or choose another path", path)
		}
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("remove the stale socket %s: %w", path, err)
		}
	}
	gid := -1
	if group != "" {
		var err error
		if gid, err = lookupGroup(group); err != nil {
			return nil, err
		}
	}
	old := syscall.Umask(0o117) // the socket is born 0660: never wider, even for a moment
	l, err := net.Listen("unix", path)
	syscall.Umask(old)
	if err != nil {
		return nil, fmt.Errorf("--listen unix://%s: %w", path, err)
	}
	if err := os.Chmod(path, 0o660); err != nil {
		l.Close()
		return nil, fmt.Errorf("chmod 0660 %s: %w", path, err)
	}
	if gid >= 0 {
		if err := os.Chown(path, -1, gid); err != nil {
			l.Close()
			return nil, fmt.Errorf("--socket-group %s on %s: %w", group, path, err)
		}
	}
	return l, nil
}

// lookupGroup gives a group's id from its name or number.
func lookupGroup(group string) (int, error) {
	if id, err := strconv.Atoi(group); err == nil && id >= 0 {
		return id, nil
	}
	g, err := user.LookupGroup(group)
	if err != nil {
		var unknown user.UnknownGroupError
		if errors.As(err, &unknown) {
			return 0, topo.Errorf(topo.ErrInvalid, "--socket-group %q: no such group: create it or give another", group)
		}
		return 0, fmt.Errorf("--socket-group %q: %w", group, err)
	}
	return strconv.Atoi(g.Gid)
}
