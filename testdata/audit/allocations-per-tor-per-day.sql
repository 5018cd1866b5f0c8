-- Allocations per TOR per day (UTC), from the ledger: one pass over events.
SELECT substr(at, 1, 10) AS day, tor_id, COUNT(*) AS allocations
FROM events
WHERE kind = 'allocate'
GROUP BY day, tor_id
ORDER BY day, tor_id
