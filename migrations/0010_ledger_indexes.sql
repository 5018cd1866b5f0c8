-- netipam schema, version 10: narrower ledger indexes. Every allocation
-- writes a ledger row, and every index of events is written with it; the
-- group commit's write is bounded by the bytes and pages each row adds
-- (store/group_cost_bench_test.go).
--
-- events_address and events_container carried the event's time after the
-- address or container (30 bytes of text per entry). No query needs it:
-- every reader of an address's or a container's events reads them in id
-- order (the rowid, which every index entry ends with), and a window by
-- time over one address (the audit query who-held) reads that address's
-- few events. Each index now holds its column and the id. Every index
-- kept is named, with the query that needs it, in
-- store/index_justified_test.go.

DROP INDEX events_address;
CREATE INDEX events_address ON events (address);
DROP INDEX events_container;
CREATE INDEX events_container ON events (container);
