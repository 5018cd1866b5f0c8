package cmd

import (
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/netipam/netipam/topo"
)

// commandsDoc is the command reference: every command and flag, once.
const commandsDoc = "../docs/commands.md"

// docSection is one "## ..." section of docs/commands.md: its flag rows
// (flag name -> the rows naming it) and the default cell of each.
type docSection struct {
	line     int
	rows     map[string]int
	defaults map[string]string
	short    map[string]string
}

var (
	docFlagRe   = regexp.MustCompile(`(?:^|[^-\w])--([a-z][a-z0-9-]*)`)
	docShortRe  = regexp.MustCompile("`-([a-zA-Z])`")
	docTickedRe = regexp.MustCompile("`([^`]*)`")
)

// parseCommandsDoc reads docs/commands.md: sections start at "## " lines
// outside code fences; a flag row is a table row whose first cell starts
// with a backtick and names --flag (and `-x` for a shorthand).
func parseCommandsDoc(t *testing.T, text string) (map[string]*docSection, []string) {
	t.Helper()
	sections := map[string]*docSection{}
	var order []string
	var cur *docSection
	fence := false
	for i, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "```") {
			fence = !fence
			continue
		}
		if fence {
			continue
		}
		if h, ok := strings.CutPrefix(line, "## "); ok {
			h = strings.TrimSpace(h)
			if prev, dup := sections[h]; dup {
				t.Errorf("%s:%d: section %q again (first at line %d): document each command once", commandsDoc, i+1, h, prev.line)
			}
			cur = &docSection{line: i + 1, rows: map[string]int{}, defaults: map[string]string{}, short: map[string]string{}}
			sections[h] = cur
			order = append(order, h)
			continue
		}
		if cur == nil || !strings.HasPrefix(line, "| `") || !flagSection(order[len(order)-1]) {
			continue
		}
		cells := strings.Split(strings.ReplaceAll(line, `\|`, "¦"), "|")
		if len(cells) < 4 {
			t.Errorf("%s:%d: a flag row needs flag, default and meaning cells: %q", commandsDoc, i+1, line)
			continue
		}
		first, def := cells[1], strings.TrimSpace(cells[2])
		names := docFlagRe.FindAllStringSubmatch(first, -1)
		if len(names) != 1 {
			t.Errorf("%s:%d: a flag row names exactly one --flag in its first cell: %q", commandsDoc, i+1, first)
			continue
		}
		name := names[0][1]
		cur.rows[name]++
		cur.defaults[name] = def
		if m := docShortRe.FindStringSubmatch(first); m != nil {
			cur.short[name] = m[1]
		}
	}
	return sections, order
}

// commandTree is every command `netipam help` lists, as the binary builds
// it: cobra adds the help and completion commands when it executes.
func commandTree() []*cobra.Command {
	root := NewRootCmd(IOStreams{In: strings.NewReader(""), Out: os.Stdout, Err: os.Stderr})
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	var all []*cobra.Command
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Hidden {
			return
		}
		all = append(all, c)
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(root)
	return all
}

// docDefault is the default a flag row gives: the first `value` of its
// default cell, normalised as pflag prints the flag's default.
func docDefaultMatches(f *pflag.Flag, cell string) bool {
	m := docTickedRe.FindStringSubmatch(cell)
	if m == nil {
		return false
	}
	doc, code := m[1], f.DefValue
	switch f.Value.Type() {
	case "duration":
		a, err1 := topo.ParseDuration(doc)
		b, err2 := topo.ParseDuration(code)
		return err1 == nil && err2 == nil && a == b
	case "stringSlice", "stringArray":
		code = strings.TrimSuffix(strings.TrimPrefix(code, "["), "]")
	}
	return doc == code
}

// zeroDefault: a default that --help does not print.
func zeroDefault(f *pflag.Flag) bool {
	switch f.DefValue {
	case "", "false", "0", "[]", "<nil>":
		return true
	}
	return false
}

// TestCommandsDocumented keeps docs/commands.md and the command tree (what
// `netipam help` prints) in step. It walks every non-hidden command and
// subcommand, and every flag each defines (local and persistent; the root's
// persistent flags and -h/--help belong to the "Global flags" section), and
// fails when:
//   - a command has no "## netipam PATH" section, or two;
//   - a flag has no row in its command's section, or more than one (so a
//     flag added to the code without a row here fails this test);
//   - a row's default disagrees with the flag's default in the code, or a
//     shorthand (-o) is missing from its row;
//   - the page has a "## netipam ..." section for a command that does not
//     exist, a row for a flag its command does not have, or names anywhere
//     a --flag that no command has.
func TestCommandsDocumented(t *testing.T) {
	b, err := os.ReadFile(commandsDoc)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	sections, order := parseCommandsDoc(t, text)
	global, ok := sections["Global flags"]
	if !ok {
		t.Fatalf("%s: no \"## Global flags\" section", commandsDoc)
	}

	cmds := commandTree()
	known := map[string]bool{"help": true} // every command's -h/--help
	want := map[string]bool{"Global flags": true}
	for _, c := range cmds {
		sec := global
		heading := "Global flags"
		var flags []*pflag.Flag
		if c.HasParent() {
			heading = c.CommandPath()
			want[heading] = true
			s, ok := sections[heading]
			if !ok {
				t.Errorf("%s: no section \"## %s\": document the command %q (%s)", commandsDoc, heading, heading, c.Short)
				continue
			}
			sec = s
			c.LocalFlags().VisitAll(func(f *pflag.Flag) { flags = append(flags, f) })
		} else {
			c.PersistentFlags().VisitAll(func(f *pflag.Flag) { flags = append(flags, f) })
			c.LocalNonPersistentFlags().VisitAll(func(f *pflag.Flag) { flags = append(flags, f) })
		}
		have := map[string]bool{}
		for _, f := range flags {
			if f.Hidden || f.Name == "help" {
				continue
			}
			have[f.Name] = true
			known[f.Name] = true
			switch n := sec.rows[f.Name]; {
			case n == 0:
				t.Errorf("%s: section %q has no row for --%s (%s): add `| `--%s` | default | meaning |`", commandsDoc, heading, f.Name, f.Usage, f.Name)
				continue
			case n > 1:
				t.Errorf("%s: section %q has %d rows for --%s: document it once", commandsDoc, heading, n, f.Name)
			}
			if !zeroDefault(f) && !docDefaultMatches(f, sec.defaults[f.Name]) {
				t.Errorf("%s: section %q: --%s defaults to %q in the code, the page says %q", commandsDoc, heading, f.Name, f.DefValue, sec.defaults[f.Name])
			}
			if f.Shorthand != "" && sec.short[f.Name] != f.Shorthand {
				t.Errorf("%s: section %q: --%s has the shorthand -%s: name it in its row (`-%s`, `--%s`)", commandsDoc, heading, f.Name, f.Shorthand, f.Shorthand, f.Name)
			}
		}
		if heading == "Global flags" {
			have["help"] = true
			if global.rows["help"] != 1 {
				t.Errorf("%s: \"Global flags\" documents -h/--help once, found %d rows", commandsDoc, global.rows["help"])
			}
		}
		for name := range sec.rows {
			if !have[name] {
				t.Errorf("%s: section %q documents --%s, which %s does not have", commandsDoc, heading, name, c.CommandPath())
			}
		}
	}

	for _, h := range order {
		if strings.HasPrefix(h, "netipam") && !want[h] {
			t.Errorf("%s:%d: section %q: no such command", commandsDoc, sections[h].line, h)
		}
		if !strings.HasPrefix(h, "netipam") && len(sections[h].rows) > 0 && h != "Global flags" {
			t.Errorf("%s:%d: section %q has flag rows but names no command", commandsDoc, sections[h].line, h)
		}
	}
	var unknown []string
	for _, m := range docFlagRe.FindAllStringSubmatch(text, -1) {
		if !known[m[1]] {
			unknown = append(unknown, "--"+m[1])
		}
	}
	sort.Strings(unknown)
	if len(unknown) > 0 {
		t.Errorf("%s names flags no command has: %s", commandsDoc, strings.Join(unknown, ", "))
	}
}

// flagSection: a section whose table rows are flags (a command's, or the
// global ones); other sections' tables (error kinds) are not.
func flagSection(heading string) bool {
	return strings.HasPrefix(heading, "netipam") || heading == "Global flags"
}
