package store

import (
	"context"
	"fmt"
)

// TORMonitor is what the monitoring gauges need of one TOR beyond its
// subnets: where it sits (pod and zone, empty for a virtual TOR) and how
// many gc candidates its nodes have (allocations a gc run found missing
// from their node's live attachments, not yet released).
type TORMonitor struct {
	TOR, Pod, Zone string
	GCCandidates   int64
}

// monitorTORsSQL reads every TOR once with its pod's zone; the candidates
// are counted through the nodes_tor and gc_candidates_node indexes.
const monitorTORsSQL = `SELECT t.id, COALESCE(t.pod_id, ''), COALESCE(p.zone_id, ''),
	(SELECT COUNT(*) FROM nodes n JOIN gc_candidates c ON c.node_id = n.id WHERE n.tor_id = t.id)
	FROM tors t LEFT JOIN pods p ON p.id = t.pod_id WHERE t.level = 'tor' ORDER BY t.id`

// MonitorTORs gives every TOR (virtual ones too, not the pool owners of
// pods and zones) by ID, with its pod, zone and gc candidates, in one
// read.
func (s *Store) MonitorTORs(ctx context.Context) ([]TORMonitor, error) {
	var out []TORMonitor
	err := s.each(ctx, Q(monitorTORsSQL), func(scan func(...any) error) error {
		var m TORMonitor
		if err := scan(&m.TOR, &m.Pod, &m.Zone, &m.GCCandidates); err != nil {
			return err
		}
		out = append(out, m)
		return ctx.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("read TORs and their gc candidates: %w", err)
	}
	return out, nil
}
