-- Expansions per pod: the blocks claimed for its TORs (ledger kind
-- 'expand'), and the last one; pods without any show 0. One pass over the
-- ledger, then the topology.
WITH x AS MATERIALIZED (SELECT tor_id, COUNT(*) AS n, MAX(at) AS last
                        FROM events WHERE kind = 'expand' GROUP BY tor_id)
SELECT p.id AS pod_id, COALESCE(SUM(x.n), 0) AS expansions, MAX(x.last) AS last_expansion
FROM pods p
LEFT JOIN tors t ON t.pod_id = p.id
LEFT JOIN x ON x.tor_id = t.id
GROUP BY p.id
ORDER BY expansions DESC, p.id
