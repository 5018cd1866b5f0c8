package api

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/netipam/netipam/topo"
)

// MaxTokenFile bounds a bearer token file (--token-file, the CNI config's
// token_file): a token is a line of text, so anything bigger is the wrong
// file, or a device, and is refused rather than read.
const MaxTokenFile = 4 << 10

// ReadTokenFile reads a bearer token file of at most MaxTokenFile bytes
// and gives its text without surrounding white space.
func ReadTokenFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", tokenFileError(path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", tokenFileError(path, err)
	}
	tooBig := topo.Errorf(topo.ErrInvalid, "token file %s is over %d bytes: a token file holds one token, give that file", path, MaxTokenFile)
	switch {
	case fi.IsDir():
		return "", topo.Errorf(topo.ErrInvalid, "token file %s is a directory: give the file holding the token", path)
	case fi.Mode().IsRegular() && fi.Size() > MaxTokenFile:
		return "", tooBig
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxTokenFile+1))
	if err != nil {
		return "", tokenFileError(path, err)
	}
	if len(b) > MaxTokenFile {
		return "", tooBig
	}
	return strings.TrimSpace(string(b)), nil
}

func tokenFileError(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("read token file %s: %w", path, err)
}
