package local

import (
	"net/netip"
	"time"

	"github.com/netipam/netipam/alloc"
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
// it: release, mark, wait (marked, within the grace period) or unmark.
type GCReportEntry struct {
	Action       alloc.GCAction `json:"action"`
	Address      netip.Addr     `json:"address"`
	Subnet       netip.Prefix   `json:"subnet"`
	Purpose      string         `json:"purpose"`
	Node         string         `json:"node"`
	TOR          string         `json:"tor"`
	Network      string         `json:"network"`
	Container    string         `json:"container"`
	IfName       string         `json:"ifname"`
	PodNS        string         `json:"pod_namespace,omitempty"`
	PodName      string         `json:"pod_name,omitempty"`
	AllocatedAt  time.Time      `json:"allocated_at"`
	MissingSince time.Time      `json:"missing_since,omitzero"`
	// Age and MissingFor are measured at the report's time, in seconds.
	Age        int64 `json:"age_seconds"`
	MissingFor int64 `json:"missing_for_seconds,omitempty"`
}

// Allocation gives the allocation an entry names.
func (e GCReportEntry) Allocation() topo.Allocation {
	return topo.Allocation{Address: e.Address, Subnet: e.Subnet, Purpose: e.Purpose, Node: e.Node, TOR: e.TOR,
		Network: e.Network, Container: e.Container, IfName: e.IfName, PodNS: e.PodNS, PodName: e.PodName,
		At: e.AllocatedAt}
}

func toReportEntry(e alloc.GCEntry, at time.Time) GCReportEntry {
	a := e.Allocation
	r := GCReportEntry{Action: e.Action, Address: a.Address, Subnet: a.Subnet, Purpose: a.Purpose, Node: a.Node,
		TOR: a.TOR, Network: a.Network, Container: a.Container, IfName: a.IfName, PodNS: a.PodNS,
		PodName: a.PodName, AllocatedAt: a.At, MissingSince: e.MissingSince,
		Age: int64(at.Sub(a.At) / time.Second)}
	if !e.MissingSince.IsZero() {
		r.MissingFor = int64(at.Sub(e.MissingSince) / time.Second)
	}
	return r
}
