-- Who held 10.244.0.7 at 2026-11-19T14:05:00Z? The last allocation of the
-- address made at or before that time, if no release came between.
-- Uses the index events_address (address, at).
SELECT allocated_at, node_id, tor_id, container, ifname, network, pod_ns, pod_name, actor, released_at
FROM (SELECT a.at AS allocated_at, a.node_id, a.tor_id, a.container, a.ifname, a.network, a.pod_ns, a.pod_name,
             a.actor,
             (SELECT MIN(r.at) FROM events r
              WHERE r.address = a.address AND r.kind IN ('release', 'gc') AND r.id > a.id) AS released_at
      FROM events a
      WHERE a.address = '10.244.0.7' AND a.kind = 'allocate' AND a.at <= '2026-11-19T14:05:00Z'
      ORDER BY a.id DESC LIMIT 1)
WHERE released_at IS NULL OR released_at > '2026-11-19T14:05:00Z'
