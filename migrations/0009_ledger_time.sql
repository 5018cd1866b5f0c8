-- netipam schema, version 9: the ledger's own time.
--
-- An event may not be dated more than 5 minutes before the latest event:
-- the ledger reads in time order, and a process whose clock is behind (or
-- set back) cannot slip an old-dated event behind newer ones. The 5
-- minutes absorb clocks that differ a little between hosts and the order
-- in which concurrent writers' batches commit. As in version 5, the rule
-- reads stored values only, never a clock: every rqlite node decides the
-- same. MAX(at) reads the last entry of the index events_at: one index
-- seek per inserted event.
--
-- An archive's cutoff is measured from the ledger's latest event, not from
-- the archiver's clock (event_archives.at): a caller whose clock is ahead
-- cannot make events minutes old look 30 days old.

CREATE TRIGGER events_at_order BEFORE INSERT ON events
WHEN julianday(NEW.at) < julianday((SELECT MAX(at) FROM events)) - 5.0 / 1440
BEGIN
    SELECT RAISE(ABORT, 'netipam: event dated more than 5 minutes before the latest event of the ledger: is this host''s clock behind?');
END;

CREATE TRIGGER event_archives_ledger_age BEFORE INSERT ON event_archives
WHEN CAST(strftime('%s', NEW.before) AS INTEGER)
     > CAST(strftime('%s', (SELECT MAX(at) FROM events), '-30 days') AS INTEGER)
BEGIN
    SELECT RAISE(ABORT, 'netipam: events are archived only when 30 days older than the latest event of the ledger');
END;
