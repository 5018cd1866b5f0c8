package topo

// Limits of one request, the same on every path (CLI, HTTP API, CNI): a
// request over them is refused as invalid (exit 2, HTTP 400) before
// anything is read or written. docs/server.md lists them ("Limits of one request").
const (
	// MaxCount bounds the addresses one request asks per purpose and
	// family (alloc --count), and the addresses it asks per family in all.
	MaxCount = 65536
	// MaxPurposes bounds the purposes one request names.
	MaxPurposes = 64
	// MaxAddresses bounds a list of addresses in one request (alloc --ip,
	// release --ip, a filter's addresses): one SQL statement holds them,
	// well below SQLite's 32766 parameters.
	MaxAddresses = 10000
	// MaxAttachments bounds a list of attachments in one request (CNI
	// GC's valid attachments, gc's live list).
	MaxAttachments = 10000
)

// CheckListLen refuses a list longer than max; what names the field or
// flag.
func CheckListLen(what string, n, max int) error {
	if n > max {
		return Errorf(ErrInvalid, "%s: %d entries, at most %d in one request: split the list into several requests", what, n, max)
	}
	return nil
}
