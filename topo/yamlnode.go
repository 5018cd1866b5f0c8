package topo

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"go4.org/netipx"
	"gopkg.in/yaml.v3"
)

// decoder walks a yaml.Node tree, collecting every problem with its line
// and field, and recording where each field was for later validation.
type decoder struct {
	pos  *positions
	errs Errors
}

func newDecoder(file string) *decoder {
	return &decoder{pos: newPositions(file)}
}

func (d *decoder) fail(line int, field, format string, args ...any) {
	d.errs = append(d.errs, &Error{File: d.pos.file, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)})
}

// document parses data and returns its root node, or nil after recording
// why it could not. A file holds one YAML document: a second one is refused
// rather than silently ignored.
func (d *decoder) document(data []byte) (root *yaml.Node) {
	var doc, next yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := decodeNode(dec, &doc); err != nil {
		d.fail(yamlError(err))
		return nil
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		d.fail(0, "", "file is empty")
		return nil
	}
	switch err := decodeNode(dec, &next); {
	case errors.Is(err, io.EOF):
	case err != nil:
		line, _, msg := yamlError(err)
		d.fail(line, "", "after the first YAML document: %s", msg)
		return nil
	default:
		d.fail(max(next.Line, 1), "", "a second YAML document starts here: a file holds one document; merge them or import each file on its own")
		return nil
	}
	return doc.Content[0]
}

// yamlError splits the line out of a yaml.v3 syntax error.
func yamlError(err error) (line int, field, msg string) {
	msg = err.Error()
	if errors.Is(err, io.EOF) {
		return 0, "", "file is empty"
	}
	if m := yamlLineError().FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	return line, "", "invalid YAML: " + msg
}

// yamlLineError splits the line number out of a yaml.v3 syntax error.
var yamlLineError = lazyRegexp(`^yaml: line (\d+): (.*)$`)

// decodeNode guards the YAML parser: a parser panic on hostile input
// becomes an error.
func decodeNode(dec *yaml.Decoder, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml parser failed: %v", r)
		}
	}()
	return dec.Decode(n)
}

func (d *decoder) fields(n *yaml.Node, field string, allowed ...string) map[string]*yaml.Node {
	if !d.kind(n, field, yaml.MappingNode) {
		return nil
	}
	out := make(map[string]*yaml.Node, len(allowed))
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.fail(k.Line, field, "keys must be plain names")
			continue
		}
		kf := joinField(field, fieldKey(k.Value))
		if !slices.Contains(allowed, k.Value) {
			d.fail(k.Line, kf, "unknown key %s: allowed keys here are %s", Quote(k.Value), strings.Join(allowed, ", "))
			continue
		}
		if _, dup := out[k.Value]; dup {
			d.fail(k.Line, kf, "duplicate key %s: write each key once", Quote(k.Value))
			continue
		}
		out[k.Value] = v
		d.pos.set(kf, k.Line)
	}
	return out
}

// kind checks that n is of the wanted kind.
func (d *decoder) kind(n *yaml.Node, field string, want yaml.Kind) bool {
	if n.Kind == yaml.AliasNode {
		d.fail(n.Line, field, "YAML aliases are not supported: write the value out")
		return false
	}
	if n.Kind != want {
		d.fail(n.Line, field, "want %s, got %s", kindName(want, ""), kindName(n.Kind, n.Tag))
		return false
	}
	return true
}

// list returns the items of a sequence; a null value is an empty list.
func (d *decoder) list(n *yaml.Node, field string) []*yaml.Node {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if !d.kind(n, field, yaml.SequenceNode) {
		return nil
	}
	return n.Content
}

// str returns a scalar's text.
func (d *decoder) str(n *yaml.Node, field string) (string, bool) {
	if !d.kind(n, field, yaml.ScalarNode) {
		return "", false
	}
	if n.Tag == "!!null" {
		d.fail(n.Line, field, "value is missing: write a string or remove the key")
		return "", false
	}
	return n.Value, true
}

// prefix decodes a CIDR as written; host bits are checked by validation.
func (d *decoder) prefix(n *yaml.Node, field string) (netip.Prefix, bool) {
	s, ok := d.str(n, field)
	if !ok {
		return netip.Prefix{}, false
	}
	p, err := netip.ParsePrefix(strings.TrimSpace(s))
	if err != nil {
		d.fail(n.Line, field, "invalid CIDR %s (%v): write an address/length such as 10.244.0.0/16", Quote(s), err)
		return netip.Prefix{}, false
	}
	return p, true
}

// addr decodes an IP address without zone.
func (d *decoder) addr(n *yaml.Node, field string) (netip.Addr, bool) {
	s, ok := d.str(n, field)
	if !ok {
		return netip.Addr{}, false
	}
	a, err := parseAddr(s)
	if err != nil {
		d.fail(n.Line, field, "%v", err)
		return netip.Addr{}, false
	}
	return a, true
}

// excludes decodes an exclude list of addresses, prefixes and ranges
// ("a-b") into prefixes, recording each prefix's line under its logical
// index.
func (d *decoder) excludes(n *yaml.Node, field string) []netip.Prefix {
	var out []netip.Prefix
	for i, item := range d.list(n, field) {
		f := fmt.Sprintf("%s[%d]", field, i)
		s, ok := d.str(item, f)
		if !ok {
			continue
		}
		ps, err := parseExclude(strings.TrimSpace(s))
		if err != nil {
			d.fail(item.Line, f, "%v", err)
			continue
		}
		for _, p := range ps {
			logical := fmt.Sprintf("%s[%d]", field, len(out))
			d.pos.set(logical, item.Line)
			if logical != f {
				d.pos.alias[logical] = f
			}
			out = append(out, p)
		}
	}
	return out
}

// parseExclude reads an address, a prefix or a range "from-to".
func parseExclude(s string) ([]netip.Prefix, error) {
	switch {
	case strings.Contains(s, "-"):
		from, to, _ := strings.Cut(s, "-")
		a, err := parseAddr(from)
		if err != nil {
			return nil, fmt.Errorf("range %q: %w", s, err)
		}
		b, err := parseAddr(to)
		if err != nil {
			return nil, fmt.Errorf("range %q: %w", s, err)
		}
		r := netipx.IPRangeFrom(a, b)
		if !r.IsValid() {
			return nil, fmt.Errorf("invalid range %q: both ends must be of one family and the first must not be after the last", s)
		}
		return r.Prefixes(), nil
	case strings.Contains(s, "/"):
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, fmt.Errorf("invalid exclude %q (%w): write an address, a prefix or a range a-b", s, err)
		}
		return []netip.Prefix{p}, nil
	default:
		a, err := parseAddr(s)
		if err != nil {
			return nil, err
		}
		return []netip.Prefix{netip.PrefixFrom(a, a.BitLen())}, nil
	}
}

// parseAddr parses an IP address and refuses IPv6 zones.
func parseAddr(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil {
		return netip.Addr{}, fmt.Errorf("invalid IP address %q (%w)", s, err)
	}
	if a.Zone() != "" {
		return netip.Addr{}, fmt.Errorf("address %s has an IPv6 zone: remove the zone %s", Quote(s), Quote("%"+a.Zone()))
	}
	return a, nil
}

func kindName(k yaml.Kind, tag string) string {
	switch k {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		if tag == "!!null" {
			return "null"
		}
		return "a single value"
	}
	return "nothing"
}

func joinField(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}
