package topo

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// base is a valid topology; subnet lines appended by withSubnets start at
// line 11.
const base = `topology:
  zones:
    - id: zone-a
      cidr: 10.244.0.0/16
      pods:
        - id: pod-1
          cidr: 10.244.0.0/20
          tors:
            - id: tor-1
              subnets:
`

// withSubnets returns base with the given lines under subnets:.
func withSubnets(lines ...string) string {
	var b strings.Builder
	b.WriteString(base)
	for _, l := range lines {
		b.WriteString("                " + l + "\n")
	}
	return b.String()
}

// errorRow is one expected problem: exactly one error with this field and
// line whose message holds msg.
type errorRow struct {
	name  string
	yaml  string
	field string
	line  int
	msg   string
	count int // errors expected in all; 0 means 1
}

func runErrorRows(t *testing.T, parse func(string, []byte) error, rows []errorRow) {
	t.Helper()
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			wantError(t, parse("t.yaml", []byte(r.yaml)), r.field, r.line, r.msg, r.count)
		})
	}
}

func wantError(t *testing.T, err error, field string, line int, msg string, count int) {
	t.Helper()
	var es Errors
	if !errors.As(err, &es) {
		t.Fatalf("got error %v (%T), want Errors", err, err)
	}
	if count == 0 {
		count = 1
	}
	if len(es) != count {
		t.Errorf("got %d errors, want %d:\n%v", len(es), count, err)
	}
	for _, e := range es {
		if e.Field == field && e.Line == line && strings.Contains(e.Msg, msg) {
			prefix := fmt.Sprintf("t.yaml:%d: %s: ", line, field)
			if line == 0 || field == "" {
				prefix = "t.yaml:"
			}
			if !strings.HasPrefix(e.Error(), prefix) {
				t.Errorf("Error() = %q, want prefix %q", e.Error(), prefix)
			}
			return
		}
	}
	t.Fatalf("no error at %s line %d with %q in:\n%v", field, line, msg, err)
}

func parseTopo(file string, data []byte) error {
	_, err := ParseTopology(file, data)
	return err
}

func mustParse(t *testing.T, yaml string) *Topology {
	t.Helper()
	top, err := ParseTopology("t.yaml", []byte(yaml))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return top
}
