package cmd

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/netipam/netipam/topo"
)

// TestErrorKindsDocumented: docs/commands.md's "Error kinds" table is
// topo.Kinds row for row, and ExitCode gives each kind's exit status.
func TestErrorKindsDocumented(t *testing.T) {
	data, err := os.ReadFile(commandsDoc)
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(data), "### Error kinds\n")
	if !ok {
		t.Fatalf("%s has no \"### Error kinds\" section", commandsDoc)
	}
	var rows []string
	for _, line := range strings.Split(table, "\n") {
		if strings.HasPrefix(line, "| `") {
			rows = append(rows, line)
		} else if len(rows) > 0 {
			break
		}
	}
	if len(rows) != len(topo.Kinds) {
		t.Errorf("%s lists %d error kinds, the code %d", commandsDoc, len(rows), len(topo.Kinds))
	}
	for i, k := range topo.Kinds {
		want := fmt.Sprintf("| `%s` | %d | %d | %d | `%s` |", k.Name, k.Exit, k.HTTP, k.CNI, k.Result)
		if i >= len(rows) || rows[i] != want {
			got := "nothing"
			if i < len(rows) {
				got = rows[i]
			}
			t.Errorf("%s: error kind %d is %s, the code says %s", commandsDoc, i+1, got, want)
		}
		err := fmt.Errorf("wrapped: %w", topo.Errorf(k.Err, "something %s", k.Name))
		if k.Err == nil {
			err = fmt.Errorf("an error of no kind")
		}
		if got := ExitCode(err); got != k.Exit {
			t.Errorf("ExitCode of a %s error: %d, want %d", k.Name, got, k.Exit)
		}
	}
}
