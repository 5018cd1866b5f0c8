-- The 20 addresses held longest, with how many days so far.
SELECT address, node_id, tor_id, container, pod_ns, pod_name, allocated_at,
       ROUND(julianday('now') - julianday(allocated_at), 1) AS days_held
FROM allocations
ORDER BY allocated_at, address
LIMIT 20
