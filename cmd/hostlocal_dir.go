package cmd

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/netipam/netipam/topo"
)

// maxHostLocalEntries bounds the entries of a host-local data directory
// netipam reads: far above the addresses of any node's ranges.
const maxHostLocalEntries = 1 << 20

// readHostLocalDir reads the leases of a host-local data directory: every
// regular file named by an address. Other entries (lock,
// last_reserved_ip.N) are left alone. Every bad lease is reported, each
// with its path, as one topo.Errors value.
func readHostLocalDir(ctx context.Context, dir, legacyIfName string) ([]topo.HostLocalLease, error) {
	name := displayPath(dir)
	f, err := os.Open(dir)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, usagef("--data-dir %s: %w: give host-local's data directory of the network, such as /var/lib/cni/networks/NET", name, err)
	}
	defer f.Close()
	entries, err := f.ReadDir(maxHostLocalEntries + 1)
	if err != nil && err != io.EOF {
		return nil, usagef("--data-dir %s: %w: give host-local's data directory of the network, such as /var/lib/cni/networks/NET", name, err)
	}
	if len(entries) > maxHostLocalEntries {
		return nil, usagef("--data-dir %s holds over %d entries: not a host-local data directory", name, maxHostLocalEntries)
	}
	var out []topo.HostLocalLease
	var errs topo.Errors
	for i, e := range entries {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, stopped(err)
			}
		}
		addr, ok := topo.HostLocalLeaseName(e.Name())
		if !ok {
			continue
		}
		path := filepath.Join(dir, e.Name())
		shown := displayPath(path)
		if !e.Type().IsRegular() {
			errs = append(errs, &topo.Error{File: shown, Msg: "is not a regular file: host-local writes a file per address; move it out of the data directory"})
			continue
		}
		data, err := readSmall(path, topo.MaxHostLocalLease+1)
		if err != nil {
			errs = append(errs, &topo.Error{File: shown, Msg: err.Error()})
			continue
		}
		l, err := topo.ParseHostLocalLease(shown, addr, data, legacyIfName)
		if err != nil {
			errs = append(errs, &topo.Error{Msg: err.Error()})
			continue
		}
		out = append(out, l)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}

// readSmall reads at most limit bytes of a file.
func readSmall(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, limit))
}
