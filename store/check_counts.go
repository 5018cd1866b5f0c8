package store

import (
	"context"
	"fmt"
)

// ProblemSubnetCount: a subnet's kept count of allocations (subnet_counts,
// migration 0008) disagrees with its allocations.
const ProblemSubnetCount = "subnet-count-mismatch"

// checkSubnetCounts compares each subnet's kept count with its
// allocations, counted once through the allocations_subnet index.
func (s *Store) checkSubnetCounts(ctx context.Context, r *CheckReport) error {
	err := s.each(ctx, Q(`SELECT s.cidr, COALESCE(c.used, -1), (SELECT COUNT(*) FROM allocations a WHERE a.subnet = s.cidr) AS n
		FROM subnets s LEFT JOIN subnet_counts c ON c.subnet = s.cidr
		WHERE COALESCE(c.used, -1) <> n ORDER BY s.first_key`), func(scan func(...any) error) error {
		var subnet string
		var kept, n int64
		if err := scan(&subnet, &kept, &n); err != nil {
			return err
		}
		msg := fmt.Sprintf("subnet %s holds %d allocations but its kept count says %d: on a copy, UPDATE subnet_counts SET used = %d WHERE subnet = '%s'",
			subnet, n, kept, n, subnet)
		if kept < 0 {
			msg = fmt.Sprintf("subnet %s holds %d allocations and has no kept count: on a copy, INSERT INTO subnet_counts VALUES ('%s', %d)",
				subnet, n, subnet, n)
		}
		r.Add(Problem{Kind: ProblemSubnetCount, Message: msg, Objects: []Ref{{"subnet", subnet}}})
		return nil
	})
	if err != nil {
		return fmt.Errorf("subnet counts: %w", err)
	}
	return nil
}
