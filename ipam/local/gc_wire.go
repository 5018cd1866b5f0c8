package local

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/strictjson"
	"github.com/netipam/netipam/topo"
)

// GCRequest is one gc run on a node (POST /v1/gc): either a live list
// (the attachments that really exist on the node) or a reviewed report
// whose releases are applied exactly.
type GCRequest struct {
	Node string `json:"node"`
	// Live is what runs on the node; ByContainer matches allocations by
	// container alone (a `crictl pods` list has no network or interface).
	Live        []GCAttachment `json:"live,omitempty"`
	ByContainer bool           `json:"by_container,omitempty"`
	// Grace is how long an allocation must have been missing, and have
	// existed, before it is released (Go duration text; default 15m).
	Grace string `json:"grace,omitempty"`
	// AllowShortGrace accepts a grace under MinGCGrace.
	AllowShortGrace bool `json:"allow_short_grace,omitempty"`
	DryRun          bool `json:"dry_run,omitempty"`
	AllowEmpty      bool `json:"allow_empty,omitempty"`
	NodeAddresses   bool `json:"include_node_addresses,omitempty"`
	// FromReport, when set, releases exactly its "release" entries.
	FromReport *GCReport `json:"from_report,omitempty"`
}

// GCAttachment is a live attachment.
type GCAttachment struct {
	Network   string `json:"network"`
	Container string `json:"container"`
	IfName    string `json:"ifname"`
}

// GCReport is what a gc run did, or would do (DryRun): the JSON `netipam gc
// -o json` prints and `--from-report` reads back.
type GCReport struct {
	Run     string          `json:"run"`
	Node    string          `json:"node"`
	At      time.Time       `json:"at"`
	Grace   string          `json:"grace"`
	DryRun  bool            `json:"dry_run"`
	Source  string          `json:"source"` // live or report
	Match   string          `json:"match"`  // attachment or container
	Live    int             `json:"live"`   // attachments in the live list
	Counts  map[string]int  `json:"counts"`
	Entries []GCReportEntry `json:"entries"`
}

// GCReportEntry is one allocation of a report and what the run does with
// it: release, mark, wait (marked, within the grace period) or unmark. The
// allocation is in its one JSON form (topo.Allocation's).
type GCReportEntry struct {
	Action       alloc.GCAction  `json:"action"`
	Allocation   topo.Allocation `json:"allocation"`
	MissingSince time.Time       `json:"missing_since,omitzero"`
	// Age and MissingFor are measured at the report's time, in seconds.
	Age        int64 `json:"age_seconds"`
	MissingFor int64 `json:"missing_for_seconds,omitempty"`
}

// ParseGCReport reads a report strictly (see package strictjson), as the
// server reads one in POST /v1/gc.
func ParseGCReport(data []byte) (GCReport, error) {
	var rep GCReport
	if err := strictjson.Decode(data, &rep, strictjson.Options{}); err != nil {
		return GCReport{}, err
	}
	return rep, nil
}

// UnmarshalJSON reads an entry strictly, and refuses one in the flat form
// of earlier reports (the allocation's fields beside "action") with what
// to do.
func (e *GCReportEntry) UnmarshalJSON(data []byte) error {
	var probe struct {
		Address    json.RawMessage `json:"address"`
		Allocation json.RawMessage `json:"allocation"`
	}
	_ = json.Unmarshal(data, &probe) // only to name the entry: the strict read below decides
	if probe.Address != nil && probe.Allocation == nil {
		return fmt.Errorf("the entry of address %.60s is in the flat form of earlier reports (the allocation's fields "+
			"beside \"action\"); an entry now holds them under \"allocation\": produce a new report with "+
			"netipam gc --dry-run -o json", probe.Address)
	}
	if probe.Allocation == nil {
		return errors.New(`a report entry has no "allocation": produce a new report with netipam gc --dry-run -o json`)
	}
	type entry GCReportEntry // without this method
	var j entry
	if err := strictjson.Decode(data, &j, strictjson.Options{}); err != nil {
		var named struct {
			Address string `json:"address"`
		}
		if json.Unmarshal(probe.Allocation, &named) == nil && named.Address != "" {
			return fmt.Errorf("the entry of address %.60q: %w", named.Address, err)
		}
		return fmt.Errorf("a report entry: %w", err)
	}
	*e = GCReportEntry(j)
	return nil
}

func toReportEntry(e alloc.GCEntry, at time.Time) GCReportEntry {
	r := GCReportEntry{Action: e.Action, Allocation: e.Allocation, MissingSince: e.MissingSince,
		Age: int64(at.Sub(e.Allocation.At) / time.Second)}
	if !e.MissingSince.IsZero() {
		r.MissingFor = int64(at.Sub(e.MissingSince) / time.Second)
	}
	return r
}
