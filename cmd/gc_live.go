package cmd

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"

	"github.com/netipam/netipam/ipam/local"
	"github.com/netipam/netipam/topo"
)

// A live list is what really runs on a node, in one of two forms:
//
//   - lines "NETWORK CONTAINER IFNAME" (white space between; blank lines
//     and # comments allowed; NETWORK "-" is the CLI's own, empty network),
//     matched against allocations by the whole attachment;
//   - the JSON of `crictl pods -o json` (items[].id, the pod sandbox ID,
//     which is the CNI container ID), matched by container alone, whatever
//     the network and interface.

// liveList is a parsed live list.
type liveList struct {
	attachments []local.GCAttachment
	byContainer bool
}

// parseLive reads a live list; name is the file as messages show it. Any
// bad line or item is an error naming it; nothing is skipped.
func parseLive(name string, data []byte) (liveList, error) {
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' {
		return parseCrictl(name, t)
	}
	var l liveList
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if len(f) != 3 {
			return l, usagef("live list %s:%d: %d field(s), want 3: NETWORK CONTAINER IFNAME (NETWORK - for none), "+
				"or give the JSON of `crictl pods -o json`", name, n, len(f))
		}
		a := topo.Attachment{Network: f[0], Container: f[1], IfName: f[2]}
		if a.Network == "-" {
			a.Network = ""
		}
		if err := topo.ValidateAttachment(a); err != nil {
			return l, usagef("live list %s:%d: %w: fix the line", name, n, err)
		}
		l.attachments = append(l.attachments, local.GCAttachment(a))
	}
	if err := sc.Err(); err != nil {
		return l, usagef("live list %s: %w", name, err)
	}
	return l, nil
}

// crictlPods is the part of `crictl pods -o json` gc reads.
type crictlPods struct {
	Items *[]struct {
		ID       string `json:"id"`
		Metadata struct {
			Name      string `json:"name"`
			Namespace string `json:"namespace"`
		} `json:"metadata"`
	} `json:"items"`
}

func parseCrictl(name string, data []byte) (liveList, error) {
	l := liveList{byContainer: true}
	var p crictlPods
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&p); err != nil {
		return l, usagef("live list %s: not the JSON of `crictl pods -o json`: %w", name, err)
	}
	if dec.More() {
		return l, usagef("live list %s: more than one JSON value: give one `crictl pods -o json` output", name)
	}
	if p.Items == nil {
		return l, usagef("live list %s: no \"items\": not the JSON of `crictl pods -o json`", name)
	}
	for i, it := range *p.Items {
		a := topo.Attachment{Container: it.ID, IfName: "eth0"} // the interface is not matched
		if err := topo.ValidateAttachment(a); err != nil {
			return l, usagef("live list %s: items[%d].id (pod %s/%s): %w", name, i,
				it.Metadata.Namespace, it.Metadata.Name, err)
		}
		l.attachments = append(l.attachments, local.GCAttachment{Container: it.ID})
	}
	return l, nil
}
