-- netipam schema, version 5: ledger retention. Events are deleted only by
-- `netipam events archive`, and only when older than 30 days.
--
-- The rule cannot read the clock in SQL: a trigger's strftime('now') is
-- evaluated by every rqlite node as it applies the Raft log (rqlite
-- rewrites non-deterministic functions in the statements it receives, not
-- inside the schema's triggers), so a refused DELETE replayed later, on a
-- restarted node or one whose clock differs, could succeed there and the
-- copies would diverge. Instead each archive records, in the same batch as
-- its DELETE, a row of event_archives naming the time it was made (Go's
-- clock, Store.Now, carried in the statement and so in the log) and the
-- cutoff: a CHECK keeps the cutoff at least 30 days before that time, and
-- the trigger lets a DELETE through only for events that the latest
-- archive covers (at or below its last id, older than its cutoff). Both
-- are functions of stored values only: every node decides the same.

CREATE TABLE event_archives (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    before     TEXT NOT NULL,
    through_id INTEGER NOT NULL,
    events     INTEGER NOT NULL DEFAULT 0,
    file       TEXT NOT NULL DEFAULT '',
    actor      TEXT NOT NULL DEFAULT '',
    CHECK (CAST(strftime('%s', before) AS INTEGER) <= CAST(strftime('%s', at, '-30 days') AS INTEGER))
);

CREATE TRIGGER event_archives_no_update BEFORE UPDATE ON event_archives
BEGIN
    SELECT RAISE(ABORT, 'netipam: event archives are append-only');
END;
CREATE TRIGGER event_archives_no_delete BEFORE DELETE ON event_archives
BEGIN
    SELECT RAISE(ABORT, 'netipam: event archives are append-only');
END;

DROP TRIGGER events_no_delete;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
WHEN NOT EXISTS (SELECT 1 FROM event_archives a
                 WHERE a.id = (SELECT MAX(id) FROM event_archives)
                   AND OLD.id <= a.through_id AND OLD.at < a.before)
BEGIN
    SELECT RAISE(ABORT, 'netipam: events are deleted only by netipam events archive, and only when older than 30 days');
END;
