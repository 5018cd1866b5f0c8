package topo

import (
	"reflect"
	"testing"
)

func parseNodes(file string, data []byte) error {
	_, err := ParseNodes(file, data)
	return err
}

func TestParseNodesSingle(t *testing.T) {
	got, err := ParseNodes("n.yaml", []byte(`node:
  id: "node-01"
  name: "k8s-node-01"
  tor_id: "tor-1"
  labels:
    rack: "R01"
    zone: "zone-a"
  subnet_preferences:
    - purpose: "default"
      min_available: 100
    - purpose: "storage"
      min_available: 50
`))
	if err != nil {
		t.Fatal(err)
	}
	want := []Node{{
		ID: "node-01", Name: "k8s-node-01", TOR: "tor-1",
		Labels:      map[string]string{"rack": "R01", "zone": "zone-a"},
		Preferences: []Preference{{"default", 100}, {"storage", 50}},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestParseNodesErrors(t *testing.T) {
	const two = "nodes:\n  - id: node-01\n    tor_id: tor-1\n  - id: node-02\n    tor_id: tor-2\n"
	runErrorRows(t, parseNodes, []errorRow{
		{name: "neither", yaml: "{}\n", field: "nodes", line: 1, msg: "missing"},
		{name: "both", yaml: "node: {id: a, tor_id: t}\nnodes: []\n", field: "nodes", line: 2, msg: "node and nodes are both set"},
		{name: "unknown key", yaml: edit(two, "tor_id: tor-2", "tor: tor-2"), field: "nodes[1].tor", line: 5, msg: `unknown key "tor"`},
		{name: "missing tor", yaml: edit(two, "    tor_id: tor-2\n", ""), field: "nodes[1].tor_id", line: 4, msg: "missing: every node needs the id of its TOR"},
		{name: "bad id", yaml: edit(two, "id: node-02", "id: node 02"), field: "nodes[1].id", line: 4, msg: `invalid node id "node 02"`},
		{name: "duplicate id", yaml: edit(two, "id: node-02", "id: node-01"), field: "nodes[1].id", line: 4, msg: "duplicate node id \"node-01\": already registered at nodes[0] (line 2)"},
		{name: "single node field", yaml: "node:\n  id: n1\n  tor_id: -x\n", field: "node.tor_id", line: 3, msg: `invalid TOR id "-x"`},
		{name: "bad label key", yaml: edit(two, "    tor_id: tor-2\n", "    tor_id: tor-2\n    labels:\n      \"bad key\": x\n"), field: `nodes[1].labels."bad key"`, line: 7, msg: `invalid label key "bad key"`},
		{name: "bad label value", yaml: edit(two, "    tor_id: tor-2\n", "    tor_id: tor-2\n    labels: {rack: \"-R01\"}\n"), field: "nodes[1].labels.rack", line: 6, msg: `invalid label value "-R01"`},
		{name: "labels not map", yaml: edit(two, "    tor_id: tor-2\n", "    tor_id: tor-2\n    labels: [a]\n"), field: "nodes[1].labels", line: 6, msg: "want a mapping, got a list"},
		{name: "min_available not int", yaml: edit(two, "    tor_id: tor-2\n", "    tor_id: tor-2\n    subnet_preferences:\n      - {purpose: default, min_available: lots}\n"),
			field: "nodes[1].subnet_preferences[0].min_available", line: 7, msg: `want a whole number of addresses, got "lots"`},
		{name: "negative min_available", yaml: edit(two, "    tor_id: tor-2\n", "    tor_id: tor-2\n    subnet_preferences:\n      - purpose: default\n        min_available: -1\n"),
			field: "nodes[1].subnet_preferences[0].min_available", line: 8, msg: "it must be zero or more"},
		{name: "duplicate preference", yaml: edit(two, "    tor_id: tor-2\n", "    tor_id: tor-2\n    subnet_preferences:\n      - purpose: default\n      - purpose: default\n"),
			field: "nodes[1].subnet_preferences[1].purpose", line: 8, msg: `duplicate preference for purpose "default"`},
	})
}

func TestValidateNode(t *testing.T) {
	tests := []struct {
		name string
		node Node
		want string // the whole error text; "" for none
	}{
		{"ok", Node{ID: "node-01", TOR: "tor-1", Labels: map[string]string{"rack": "R01", "example.com/role": "", "zone": "zone-a"}}, ""},
		{"no id", Node{TOR: "tor-1"}, "id: missing: every node needs an id"},
		{"id too long", Node{ID: string(make([]byte, 64)), TOR: "tor-1"}, "id: invalid node id"},
		{"no tor", Node{ID: "n"}, "tor_id: missing: every node needs the id of its TOR"},
		{"bad label key", Node{ID: "n", TOR: "t", Labels: map[string]string{"a b": "x"}}, `labels."a b": invalid label key "a b"`},
		{"long label value", Node{ID: "n", TOR: "t", Labels: map[string]string{"k": string(make([]byte, 64))}}, "labels.k: invalid label value"},
		{"bad preference", Node{ID: "n", TOR: "t", Preferences: []Preference{{Purpose: "X"}}}, `subnet_preferences[0].purpose: invalid purpose "X"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateNode(tt.node)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("ValidateNode() = %v, want nil", err)
			case tt.want != "" && (err == nil || len(err.Error()) < len(tt.want) || err.Error()[:len(tt.want)] != tt.want):
				t.Errorf("ValidateNode() = %v, want prefix %q", err, tt.want)
			}
		})
	}
}

func TestParseNodesOnUnknownTOR(t *testing.T) {
	data := "nodes:\n  - id: n1\n    tor_id: tor-1\n  - id: n2\n    tor_id: tor-9\n"
	known := func(id string) (bool, error) { return id == "tor-1", nil }
	_, err := ParseNodesOn("n.yaml", []byte(data), known)
	want := `n.yaml:5: nodes[1].tor_id: node n2: unknown TOR "tor-9": import it with ` + "`netipam topo import`" + ` or fix tor_id`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
}
