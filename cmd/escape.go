package cmd

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// safe escapes what a terminal would act on instead of showing: control
// characters (ESC, newline, tab, DEL, the C1 set), bidirectional overrides
// and invalid UTF-8 become Go-style escapes (\x1b, \n, \u202e, \xff). It is
// applied once, where text leaves netipam: table cells, tree labels, `say`
// lines and error lines. Values are stored unchanged.
func safe(s string) string {
	if !strings.ContainsFunc(s, unsafeRune) && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[0])
		case unsafeRune(r):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[:n])
		}
		s = s[n:]
	}
	return b.String()
}

func unsafeRune(r rune) bool {
	return unicode.IsControl(r) ||
		(r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069')
}

// safeAll escapes every string of a row.
func safeAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = safe(s)
	}
	return out
}

// safeJSON escapes, as JSON \u escapes, the characters encoding/json leaves
// raw that a terminal may still act on (DEL, the C1 set such as U+009B, the
// 8-bit CSI, and bidirectional overrides). They can only occur inside JSON
// strings, where \uXXXX is the same value: the data is unchanged.
func safeJSON(b []byte) []byte {
	if !bytes.ContainsFunc(b, jsonUnsafe) {
		return b
	}
	var out bytes.Buffer
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if jsonUnsafe(r) && !(r == utf8.RuneError && n == 1) {
			fmt.Fprintf(&out, `\u%04x`, r)
		} else {
			out.Write(b[:n])
		}
		b = b[n:]
	}
	return out.Bytes()
}

func jsonUnsafe(r rune) bool {
	return r == 0x7f || (r >= 0x80 && r <= 0x9f) ||
		(r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069')
}
