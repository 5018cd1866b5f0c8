package store

import (
	"context"
	"fmt"
)

// checkSettings reports every stored setting that netipam ignores because
// it is out of bounds or unreadable (Expansion).
func (s *Store) checkSettings(ctx context.Context, r *CheckReport) error {
	ps, err := s.ExpansionProblems(ctx)
	if err != nil {
		return err
	}
	for _, p := range ps {
		r.Add(Problem{Kind: ProblemBadSetting,
			Message: fmt.Sprintf("stored setting %s: %s: netipam ignores it and uses the default; fix the topology file's expansion: block and run topo import",
				p.Field, p.Message),
			Objects: []Ref{{Type: "setting", ID: p.Field}}})
	}
	return nil
}
