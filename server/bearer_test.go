package server

import "testing"

// TestBearerToken: the scheme is case-insensitive (RFC 7235); another
// scheme, or no token, is refused.
func TestBearerToken(t *testing.T) {
	for _, c := range []struct {
		in, tok string
		ok      bool
	}{
		{"Bearer t0k", "t0k", true},
		{"bearer t0k", "t0k", true},
		{"BEARER t0k", "t0k", true},
		{"bEaReR t0k", "t0k", true},
		{"Bearer   t0k", "t0k", true},
		{"Basic dXNlcjpwYXNz", "", false},
		{"Bearer", "", false},
		{"Bearer ", "", false},
		{"Bearert0k", "", false},
		{"t0k", "", false},
		{"", "", false},
	} {
		tok, ok := bearerToken(c.in)
		if tok != c.tok || ok != c.ok {
			t.Errorf("bearerToken(%q) = %q, %v; want %q, %v", c.in, tok, ok, c.tok, c.ok)
		}
	}
}
