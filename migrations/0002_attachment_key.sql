-- netipam schema, version 2: an attachment is owned by the CNI spec's key,
-- (network, container, ifname), not by (container, ifname) alone. Version 1
-- let a second network's ADD for the same container and interface see, and
-- its DEL release, the first network's addresses. A subnet's allocations
-- are indexed in address order (addr_key), so that a one-shot allocator can
-- read a window of them instead of all.
--
-- SQLite cannot change a table constraint in place, so allocations is
-- rebuilt (the documented create-copy-drop-rename sequence, in one atomic
-- batch). The triggers of other tables that read allocations are dropped
-- first and created again after, so that the rename meets no dangling
-- reference. Every row is copied unchanged.

DROP TRIGGER subnets_fixed_while_used;
DROP TRIGGER nodes_fixed_tor_while_used;

CREATE TABLE allocations_v2 (
    subnet       TEXT NOT NULL REFERENCES subnets(cidr),
    address      TEXT NOT NULL,
    addr_key     TEXT NOT NULL CHECK (length(addr_key) = 32),
    family       INTEGER NOT NULL CHECK (family IN (4, 6)),
    purpose      TEXT NOT NULL,
    node_id      TEXT NOT NULL REFERENCES nodes(id),
    tor_id       TEXT NOT NULL REFERENCES tors(id),
    container    TEXT,
    ifname       TEXT NOT NULL DEFAULT '',
    network      TEXT NOT NULL DEFAULT '',
    pod_ns       TEXT NOT NULL DEFAULT '',
    pod_name     TEXT NOT NULL DEFAULT '',
    allocated_at TEXT NOT NULL,
    UNIQUE (network, container, ifname, purpose, family)
);

INSERT INTO allocations_v2 (subnet, address, addr_key, family, purpose, node_id, tor_id, container, ifname,
    network, pod_ns, pod_name, allocated_at)
SELECT subnet, address, addr_key, family, purpose, node_id, tor_id, container, ifname,
    network, pod_ns, pod_name, allocated_at
FROM allocations ORDER BY rowid;

DROP TABLE allocations;
ALTER TABLE allocations_v2 RENAME TO allocations;

-- An address is held once, anywhere (version 1 also had UNIQUE(subnet,
-- address), which this implies).
CREATE UNIQUE INDEX allocations_address ON allocations (address);
-- A subnet's allocations in address order: a pool is rebuilt from it, and
-- a one-shot allocator reads only the stretch after its cursor.
CREATE INDEX allocations_subnet ON allocations (subnet, addr_key);
-- A node's allocations, and a node's of one network (what CNI GC reads):
-- by node first, so that neither reads another node's rows.
CREATE INDEX allocations_node ON allocations (node_id, network);
-- Deleting a TOR checks its foreign key here; usage per TOR reads it.
CREATE INDEX allocations_tor ON allocations (tor_id);

CREATE TRIGGER allocations_in_subnet BEFORE INSERT ON allocations
WHEN NOT EXISTS (
    SELECT 1 FROM subnets s JOIN nodes n ON n.id = NEW.node_id
    WHERE s.cidr = NEW.subnet
      AND s.tor_id = n.tor_id AND s.tor_id = NEW.tor_id
      AND s.purpose = NEW.purpose AND s.family = NEW.family
      AND NEW.addr_key > s.first_key AND NEW.addr_key <= s.last_key
      AND (s.family = 6 OR NEW.addr_key < s.last_key)
      AND NEW.address <> s.gateway)
BEGIN
    SELECT RAISE(ABORT, 'netipam: address is not a usable address of a subnet of the node''s TOR');
END;

CREATE TRIGGER allocations_not_reserved BEFORE INSERT ON allocations
WHEN EXISTS (
    SELECT 1 FROM reservations r
    WHERE r.subnet = NEW.subnet AND NEW.addr_key BETWEEN r.first_key AND r.last_key)
BEGIN
    SELECT RAISE(ABORT, 'netipam: address is reserved');
END;

CREATE TRIGGER allocations_immutable BEFORE UPDATE ON allocations
BEGIN
    SELECT RAISE(ABORT, 'netipam: allocations are never updated, release and allocate instead');
END;

CREATE TRIGGER subnets_fixed_while_used BEFORE UPDATE OF tor_id, purpose, gateway ON subnets
WHEN EXISTS (SELECT 1 FROM allocations WHERE subnet = NEW.cidr)
 AND (NEW.tor_id <> OLD.tor_id OR NEW.purpose <> OLD.purpose OR NEW.gateway <> OLD.gateway)
BEGIN
    SELECT RAISE(ABORT, 'netipam: subnet holds allocations');
END;

CREATE TRIGGER nodes_fixed_tor_while_used BEFORE UPDATE OF tor_id ON nodes
WHEN NEW.tor_id <> OLD.tor_id AND EXISTS (SELECT 1 FROM allocations WHERE node_id = NEW.id)
BEGIN
    SELECT RAISE(ABORT, 'netipam: node holds allocations on its TOR');
END;

-- A release reads back exactly the ledger rows it wrote, by their token.
CREATE INDEX events_release ON events (detail) WHERE kind IN ('release', 'gc');
