-- netipam schema, version 6: safe leak collection (netipam gc) and the
-- ledger read by time (netipam report forecast).
--
-- gc is two-phase. A run compares a node's allocations with the attachments
-- that really exist on it; what is missing becomes a candidate, remembered
-- here with the time it was first seen missing. Only a later run releases a
-- candidate, once it has been missing for the grace period and was
-- allocated at least that long ago. A candidate names the allocation it
-- was taken for (address, attachment, allocated_at): an address released
-- and handed out again is a new allocation, never the old candidate.
CREATE TABLE gc_candidates (
    address       TEXT PRIMARY KEY,
    node_id       TEXT NOT NULL,
    network       TEXT NOT NULL DEFAULT '',
    container     TEXT NOT NULL DEFAULT '',
    ifname        TEXT NOT NULL DEFAULT '',
    allocated_at  TEXT NOT NULL,
    missing_since TEXT NOT NULL,
    first_run     TEXT NOT NULL,
    last_run      TEXT NOT NULL,
    last_seen     TEXT NOT NULL,
    CHECK (missing_since <= last_seen)
);
CREATE INDEX gc_candidates_node ON gc_candidates (node_id);

-- One row per run that changed something (marks or releases). A run from
-- a reviewed report states how many allocations it expects to release;
-- the CHECK refuses the whole batch when fewer still match, so a report
-- releases exactly what it lists or nothing.
CREATE TABLE gc_runs (
    id       TEXT PRIMARY KEY,
    node_id  TEXT NOT NULL,
    at       TEXT NOT NULL,
    source   TEXT NOT NULL CHECK (source IN ('live', 'report')),
    grace    TEXT NOT NULL DEFAULT '',
    marked   INTEGER NOT NULL DEFAULT 0,
    expected INTEGER,
    matched  INTEGER NOT NULL DEFAULT 0,
    CHECK (expected IS NULL OR matched = expected)
);
CREATE INDEX gc_runs_at ON gc_runs (at);

-- The ledger by time: a forecast reads one window of events.
CREATE INDEX events_at ON events (at);
