-- Nodes that allocated but never released (nor had anything collected by
-- gc): candidates for leaks, or nodes whose runtime never calls DEL. One
-- pass over the ledger.
SELECT node_id, SUM(kind = 'allocate') AS allocations, MIN(at) AS first_allocation, MAX(at) AS last_allocation
FROM events
WHERE kind IN ('allocate', 'release', 'gc') AND node_id <> ''
GROUP BY node_id
HAVING SUM(kind IN ('release', 'gc')) = 0
ORDER BY allocations DESC, node_id
