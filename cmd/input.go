package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/netipam/netipam/topo"
)

// DefaultMaxFileSize bounds the topology and node files netipam reads
// (--max-file-size raises it): a file is read whole, so a bigger one, or
// a device such as /dev/zero, is refused rather than read until memory
// runs out.
const DefaultMaxFileSize = 64 << 20

// fileSize is the --max-file-size flag: bytes, or a number with a KiB,
// MiB or GiB suffix.
type fileSize int64

func (s *fileSize) String() string { return formatSize(int64(*s)) }
func (s *fileSize) Type() string   { return "size" }

func (s *fileSize) Set(v string) error {
	units := []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}}
	num, mult := v, int64(1)
	for _, u := range units {
		if n, ok := strings.CutSuffix(v, u.suffix); ok {
			num, mult = n, u.mult
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
	if err != nil || n <= 0 || n > (1<<40)/mult {
		return fmt.Errorf("%q is not a size: write bytes, or a number with KiB, MiB or GiB, such as 128MiB", v)
	}
	*s = fileSize(n * mult)
	return nil
}

func formatSize(n int64) string {
	switch {
	case n%(1<<30) == 0:
		return fmt.Sprintf("%dGiB", n>>30)
	case n%(1<<20) == 0:
		return fmt.Sprintf("%dMiB", n>>20)
	case n%(1<<10) == 0:
		return fmt.Sprintf("%dKiB", n>>10)
	}
	return fmt.Sprintf("%dB", n)
}

// addMaxFileSize adds --max-file-size to a command that reads a file.
func addMaxFileSize(f *pflag.FlagSet, s *fileSize) {
	*s = DefaultMaxFileSize
	f.Var(s, "max-file-size", "refuse input files larger than this (bytes, or with KiB, MiB, GiB)")
}

// displayPath is a path as messages show it: as given, or quoted when it
// holds characters a terminal would act on.
func displayPath(p string) string {
	if strings.ContainsFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }) {
		return topo.Quote(p)
	}
	return p
}

// readInput reads a topology or nodes file of at most limit bytes. A
// regular file over the limit is refused before reading; anything else
// (a pipe, a device) is read through the limit and refused when it gives
// more.
func readInput(path, what string, limit fileSize) ([]byte, error) {
	name := displayPath(path)
	fail := func(err error) error {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return usagef("read %s file %s: %w", what, name, err)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fail(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fail(err)
	}
	tooBig := func(size string) error {
		return usagef("%s file %s is %s, over the limit of %s: split it, or raise the limit with --max-file-size",
			what, name, size, formatSize(int64(limit)))
	}
	switch {
	case fi.IsDir():
		return nil, usagef("read %s file: %s is a directory: give a file", what, name)
	case fi.Mode().IsRegular() && fi.Size() > int64(limit):
		return nil, tooBig(fmt.Sprintf("%d bytes", fi.Size()))
	}
	data, err := io.ReadAll(io.LimitReader(f, int64(limit)+1))
	if err != nil {
		return nil, fail(err)
	}
	if int64(len(data)) > int64(limit) {
		return nil, tooBig("larger than that")
	}
	return data, nil
}

// interruptible runs fn (parsing a file, which has no context of its own)
// and returns at once with the context's error when ctx ends first: nothing
// has been written yet, and the process is about to exit.
func interruptible[T any](ctx context.Context, fn func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := fn()
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, stopped(ctx.Err())
	}
}

// stopped says that a signal ended a command before it changed anything.
func stopped(err error) error {
	return fmt.Errorf("stopped by a signal before any change: nothing was changed (%w)", err)
}
