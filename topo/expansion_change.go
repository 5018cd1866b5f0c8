package topo

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// KindExpansion is the kind of the change to the expansion settings.
const KindExpansion = "expansion"

// String writes the settings as one line, fields in a fixed order, only
// those set: "threshold 0.9, prefix_length ipv4 26, storage: threshold 0.7".
// Nil gives "defaults".
func (e *Expansion) String() string {
	if e == nil {
		return "defaults"
	}
	parts := ruleParts(e.ExpansionRule)
	if e.ReclaimGrace > 0 {
		parts = append(parts, "reclaim_grace "+FormatDuration(e.ReclaimGrace))
	}
	for _, p := range slices.Sorted(maps.Keys(e.Purposes)) {
		parts = append(parts, p+": "+strings.Join(ruleParts(e.Purposes[p]), ", "))
	}
	if len(parts) == 0 {
		return "defaults"
	}
	return strings.Join(parts, ", ")
}

func ruleParts(r ExpansionRule) []string {
	var parts []string
	if r.Threshold > 0 {
		parts = append(parts, "threshold "+strconv.FormatFloat(r.Threshold, 'g', -1, 64))
	}
	if r.PrefixLength4 > 0 {
		parts = append(parts, fmt.Sprintf("prefix_length ipv4 %d", r.PrefixLength4))
	}
	if r.PrefixLength6 > 0 {
		parts = append(parts, fmt.Sprintf("prefix_length ipv6 %d", r.PrefixLength6))
	}
	if r.MaxSubnetsPerTOR > 0 {
		parts = append(parts, fmt.Sprintf("max_subnets_per_tor %d", r.MaxSubnetsPerTOR))
	}
	if r.Horizon > 0 {
		parts = append(parts, "horizon "+FormatDuration(r.Horizon))
	}
	return parts
}

// ExpansionChange gives the change from the stored settings cur to des, if
// they differ.
func ExpansionChange(cur, des *Expansion) (Change, bool) {
	a, b := cur.String(), des.String()
	if a == b && (cur == nil) == (des == nil) {
		return Change{}, false
	}
	return Change{Op: OpUpdate, Kind: KindExpansion, ID: "settings", Detail: fmt.Sprintf("%s -> %s", a, b)}, true
}
