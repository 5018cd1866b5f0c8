package topo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
)

// KubeNode is one item of `kubectl get nodes -o json`: what netipam reads
// of it, its name and labels.
type KubeNode struct {
	Name   string            `json:"name"`
	Labels map[string]string `json:"labels,omitempty"`
}

// kubeList is the part of a v1 List (or NodeList) that netipam reads.
type kubeList struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Items      []struct {
		Kind     string `json:"kind"`
		Metadata struct {
			Name   string            `json:"name"`
			Labels map[string]string `json:"labels"`
		} `json:"metadata"`
	} `json:"items"`
}

// ParseKubeNodes decodes the output of `kubectl get nodes -o json` (a v1
// List or NodeList of Node items). Every problem is reported with the file
// and the item's field (items[3].metadata.name), a JSON syntax error with
// its line. Names and labels are checked by KubeToNodes.
func ParseKubeNodes(file string, data []byte) ([]KubeNode, error) {
	var l kubeList
	if err := json.Unmarshal(data, &l); err != nil {
		return nil, Errors{jsonError(file, data, err)}
	}
	var errs Errors
	add := func(field, format string, args ...any) {
		errs = append(errs, &Error{File: file, Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	switch {
	case l.APIVersion != "v1":
		add("apiVersion", "is %s, not v1: give the output of `kubectl get nodes -o json`", Quote(l.APIVersion))
	case l.Kind != "List" && l.Kind != "NodeList":
		add("kind", "is %s, not List: give the output of `kubectl get nodes -o json`", Quote(l.Kind))
	}
	out := make([]KubeNode, 0, len(l.Items))
	for i, it := range l.Items {
		if it.Kind != "Node" {
			add(fmt.Sprintf("items[%d].kind", i), "is %s, not Node: give the output of `kubectl get nodes -o json`", Quote(it.Kind))
			continue
		}
		out = append(out, KubeNode{Name: it.Metadata.Name, Labels: it.Metadata.Labels})
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	return out, nil
}

// jsonError places a JSON decoding error at its line.
func jsonError(file string, data []byte, err error) *Error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return &Error{File: file, Line: lineAt(data, se.Offset), Msg: "not valid JSON: " + se.Error()}
	case errors.As(err, &te):
		return &Error{File: file, Line: lineAt(data, te.Offset), Field: te.Field,
			Msg: fmt.Sprintf("want a JSON %s, got %s", te.Type, te.Value)}
	}
	return &Error{File: file, Msg: "not valid JSON: " + err.Error()}
}

func lineAt(data []byte, offset int64) int {
	offset = min(max(offset, 0), int64(len(data)))
	return bytes.Count(data[:offset], []byte("\n")) + 1
}

// KubeImport is what a list of Kubernetes nodes registers: Nodes on the
// TOR their label names, and the names of the nodes without that label
// (not registered).
type KubeImport struct {
	Nodes      []Node
	Unlabelled []string
}

// KubeToNodes turns Kubernetes nodes into netipam nodes: the node's name is
// its id and name, the value of torLabel its TOR, and its other labels its
// labels. A node without the label (or with an empty value) is listed in
// Unlabelled. knownTOR, when not nil, names each node whose TOR does not
// exist (ErrNotFound). Every problem is reported with file and item.
func KubeToNodes(file string, items []KubeNode, torLabel string, knownTOR func(id string) (bool, error)) (KubeImport, error) {
	var out KubeImport
	var errs Errors
	seen := make(map[string]int, len(items))
	for i, it := range items {
		field := fmt.Sprintf("items[%d].metadata", i)
		fail := func(f, format string, args ...any) *Error {
			e := &Error{File: file, Field: f, Msg: fmt.Sprintf(format, args...)}
			errs = append(errs, e)
			return e
		}
		if first, dup := seen[it.Name]; dup {
			fail(field+".name", "duplicate node %s: already at items[%d]", idText(it.Name), first)
			continue
		}
		seen[it.Name] = i
		tor, ok := it.Labels[torLabel]
		if !ok || tor == "" {
			if err := CheckID("node", it.Name); err != nil {
				fail(field+".name", "%v", err)
				continue
			}
			out.Unlabelled = append(out.Unlabelled, it.Name)
			continue
		}
		n := Node{ID: it.Name, Name: it.Name, TOR: tor, Labels: make(map[string]string, len(it.Labels))}
		for k, v := range it.Labels {
			if k != torLabel {
				n.Labels[k] = v
			}
		}
		v := &validator{}
		v.node("", n)
		for _, e := range v.errs {
			fail(joinField(field, kubeField(e.Field, torLabel)), "node %s: %s", idText(n.ID), e.Msg)
		}
		if len(v.errs) > 0 {
			continue
		}
		if knownTOR != nil {
			known, err := knownTOR(tor)
			if err != nil {
				return KubeImport{}, fmt.Errorf("look up TOR %s: %w", tor, err)
			}
			if !known {
				e := fail(field+".labels."+fieldKey(torLabel), "node %s: unknown TOR %s: import it with `netipam topo import`, or fix the node's label", n.ID, Quote(tor))
				e.Kind = ErrNotFound
				continue
			}
		}
		out.Nodes = append(out.Nodes, n)
	}
	if len(errs) > 0 {
		return KubeImport{}, errs
	}
	slices.Sort(out.Unlabelled)
	return out, nil
}

// kubeField maps a nodes-file field (id, tor_id, labels.KEY) to its place
// in a Kubernetes node's metadata.
func kubeField(f, torLabel string) string {
	switch f {
	case "id", "name":
		return "name"
	case "tor_id":
		return "labels." + fieldKey(torLabel)
	}
	return f
}
