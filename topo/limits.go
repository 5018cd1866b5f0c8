package topo

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"unicode"
)

// MaxText is the longest name, location, label key or value netipam keeps
// (a DNS name's limit): longer text is refused, not cut.
const MaxText = 253

// VirtualPrefix starts the id of every virtual TOR, the one netipam gives a
// node registered without a TOR (VirtualTOR). Declared ids may not start
// with it, so that no declared TOR can be taken for a node's virtual TOR.
const VirtualPrefix = "virtual-"

// VirtualTOR names the TOR a node registered without one gets: the seed's
// compatibility mode, one virtual TOR per node.
func VirtualTOR(node string) string { return VirtualPrefix + node }

// unusable are the ranges no interface may be given an address from:
// "this network", loopback, multicast, the reserved class E block and
// limited broadcast, the unspecified and loopback IPv6 addresses,
// link-local and multicast IPv6.
var unusable = []struct {
	p    netip.Prefix
	what string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "\"this network\" addresses"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback addresses"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast addresses"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved (class E) and broadcast addresses"},
	{netip.MustParsePrefix("::/128"), "the unspecified address ::"},
	{netip.MustParsePrefix("::1/128"), "the loopback address ::1"},
	{netip.MustParsePrefix("fe80::/10"), "link-local addresses"},
	{netip.MustParsePrefix("ff00::/8"), "multicast addresses"},
}

// unusableProblem says why a declared zone, pod or subnet prefix can never
// be right, or "" when it covers only addresses an interface may use.
func unusableProblem(p netip.Prefix) string {
	for _, u := range unusable {
		if p.Overlaps(u.p) {
			return fmt.Sprintf("%s covers %s (%s), which no interface may use: declare a prefix outside %s", p, u.what, u.p, u.p)
		}
	}
	return ""
}

// textProblem says what is wrong with a free-text value (a name, a
// location), or "". what names it in the message ("name").
func textProblem(what, s string) string {
	switch {
	case len(s) > MaxText:
		return fmt.Sprintf("%s is %d bytes long: use at most %d", what, len(s), MaxText)
	case strings.IndexFunc(s, isControl) >= 0:
		return fmt.Sprintf("%s %s holds a control character: use printable text only", what, Quote(s))
	}
	return ""
}

// CheckPrintable checks a string a request carries and messages echo: at
// most max bytes, and no control or invisible formatting character.
func CheckPrintable(what, s string, max int) error {
	switch {
	case len(s) > max:
		return Errorf(ErrInvalid, "%s is %d bytes long: use at most %d", what, len(s), max)
	case strings.IndexFunc(s, isControl) >= 0:
		return Errorf(ErrInvalid, "%s %s holds a control character: use printable text only", what, Quote(s))
	}
	return nil
}

// isControl reports control and invisible formatting characters (such as
// the bidirectional overrides that make text read backwards).
func isControl(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == unicode.ReplacementChar
}

// Quote writes a user string for a message: quoted, with every control
// character escaped, and cut to a readable length.
func Quote(s string) string {
	const max = 80
	if len(s) > max {
		return strconv.Quote(s[:max]) + "..."
	}
	return strconv.Quote(s)
}

// fieldKey writes a map key as a field path component: as is when it is a
// plain name, quoted otherwise, so that no path echoes control characters.
func fieldKey(k string) string {
	for _, r := range k {
		if !(r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("._-/", r))) {
			return Quote(k)
		}
	}
	if k == "" || len(k) > MaxText {
		return Quote(k)
	}
	return k
}

// virtualProblem says why a declared id collides with the names of virtual
// TORs, or "".
func virtualProblem(kind, id string) string {
	if strings.HasPrefix(id, VirtualPrefix) {
		return fmt.Sprintf("%s id %s starts with %q, which netipam reserves for the virtual TORs of nodes registered without a TOR: pick another id", kind, Quote(id), VirtualPrefix)
	}
	return ""
}

// idText writes an id for a message: as is when well formed, quoted
// otherwise.
func idText(id string) string {
	if idPattern().MatchString(id) {
		return id
	}
	return Quote(id)
}

// CheckID checks an id given on the command line (what names the flag):
// well formed, so that it can be echoed safely. A virtual TOR's id
// (VirtualPrefix and a node id) is one, however long the node id.
func CheckID(what, id string) error {
	node, virtual := strings.CutPrefix(id, VirtualPrefix)
	if virtual && idPattern().MatchString(node) {
		return nil
	}
	if !idPattern().MatchString(id) {
		return fmt.Errorf("%s %s: not a valid id: use letters, digits, '.', '_' and '-', starting with a letter or digit, at most 63 characters", what, Quote(id))
	}
	return nil
}
