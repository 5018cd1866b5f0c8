-- netipam schema, version 8: each subnet's count of allocations, kept by
-- triggers in the same transaction as every change, so that what reads a
-- subnet's use (the expansion threshold after each allocation, the least
-- used subnet, usage, topo show, metrics) reads one row per subnet instead
-- of counting its allocations: a call costs the same with 100 or 1,000,000
-- addresses held. The count is the database's, never Go's; `netipam check`
-- compares it with the allocations.
--
-- No foreign key: a subnet's row goes with it by trigger, so that the count
-- stays right on an rqlite cluster started without foreign keys.

CREATE TABLE subnet_counts (
    subnet TEXT PRIMARY KEY,
    used   INTEGER NOT NULL DEFAULT 0 CHECK (used >= 0)
);

INSERT INTO subnet_counts (subnet, used)
SELECT s.cidr, (SELECT COUNT(*) FROM allocations a WHERE a.subnet = s.cidr) FROM subnets s;

CREATE TRIGGER subnet_counts_subnet_added AFTER INSERT ON subnets
BEGIN
    INSERT OR REPLACE INTO subnet_counts (subnet, used) VALUES (NEW.cidr, 0);
END;

CREATE TRIGGER subnet_counts_subnet_removed AFTER DELETE ON subnets
BEGIN
    DELETE FROM subnet_counts WHERE subnet = OLD.cidr;
END;

CREATE TRIGGER subnet_counts_allocate AFTER INSERT ON allocations
BEGIN
    UPDATE subnet_counts SET used = used + 1 WHERE subnet = NEW.subnet;
END;

CREATE TRIGGER subnet_counts_release AFTER DELETE ON allocations
BEGIN
    UPDATE subnet_counts SET used = used - 1 WHERE subnet = OLD.subnet;
END;
