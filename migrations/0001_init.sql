-- netipam schema, version 1.
-- Addresses are kept twice: as text (for people and audit queries) and as a
-- fixed-width key, 32 lowercase hex digits of the 16-byte form (IPv4 as
-- ::ffff:a.b.c.d), so that range checks are plain text comparisons for both
-- families. Times are RFC 3339 UTC text with fixed-width nanoseconds, set by
-- Go. Invariants live here, as constraints and triggers, never in Go alone:
-- every mutation is one statement or one atomic batch (rqlite has no
-- interactive transactions).

CREATE TABLE zones (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);

CREATE TABLE zone_cidrs (
    zone_id   TEXT NOT NULL REFERENCES zones(id) ON DELETE CASCADE,
    cidr      TEXT NOT NULL,
    family    INTEGER NOT NULL CHECK (family IN (4, 6)),
    first_key TEXT NOT NULL CHECK (length(first_key) = 32),
    last_key  TEXT NOT NULL CHECK (length(last_key) = 32 AND last_key >= first_key),
    PRIMARY KEY (zone_id, cidr)
);

CREATE TABLE pods (
    id         TEXT PRIMARY KEY,
    zone_id    TEXT NOT NULL REFERENCES zones(id),
    name       TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);

CREATE TABLE pod_cidrs (
    pod_id    TEXT NOT NULL REFERENCES pods(id) ON DELETE CASCADE,
    cidr      TEXT NOT NULL,
    family    INTEGER NOT NULL CHECK (family IN (4, 6)),
    first_key TEXT NOT NULL CHECK (length(first_key) = 32),
    last_key  TEXT NOT NULL CHECK (length(last_key) = 32 AND last_key >= first_key),
    PRIMARY KEY (pod_id, cidr)
);

-- A TOR without a pod is virtual: the compatibility mode for nodes
-- registered without a TOR.
CREATE TABLE tors (
    id         TEXT PRIMARY KEY,
    pod_id     TEXT REFERENCES pods(id),
    name       TEXT NOT NULL DEFAULT '',
    location   TEXT NOT NULL DEFAULT '',
    virtual    INTEGER NOT NULL DEFAULT 0 CHECK (virtual IN (0, 1)),
    created_at TEXT NOT NULL,
    CHECK (virtual = 1 OR pod_id IS NOT NULL)
);

CREATE TABLE subnets (
    cidr       TEXT PRIMARY KEY,
    family     INTEGER NOT NULL CHECK (family IN (4, 6)),
    purpose    TEXT NOT NULL CHECK (purpose <> ''),
    tor_id     TEXT NOT NULL REFERENCES tors(id),
    gateway    TEXT NOT NULL DEFAULT '',
    first_key  TEXT NOT NULL CHECK (length(first_key) = 32),
    last_key   TEXT NOT NULL CHECK (length(last_key) = 32 AND last_key >= first_key),
    source     TEXT NOT NULL DEFAULT 'import' CHECK (source IN ('import', 'cli', 'expand')),
    created_at TEXT NOT NULL
);
CREATE INDEX subnets_tor ON subnets (tor_id, purpose);
CREATE INDEX subnets_range ON subnets (first_key, last_key);

-- No two subnets overlap, whoever inserts them and however concurrently.
CREATE TRIGGER subnets_no_overlap BEFORE INSERT ON subnets
WHEN EXISTS (SELECT 1 FROM subnets
             WHERE cidr <> NEW.cidr AND first_key <= NEW.last_key AND last_key >= NEW.first_key)
BEGIN
    SELECT RAISE(ABORT, 'netipam: subnet overlaps an existing subnet');
END;

-- A TOR's subnet lies inside its pod's prefix of the same family, wherever
-- the pod declares one (this is what keeps expansion inside the pod).
CREATE TRIGGER subnets_inside_pod BEFORE INSERT ON subnets
WHEN EXISTS (SELECT 1 FROM tors t JOIN pod_cidrs c ON c.pod_id = t.pod_id
             WHERE t.id = NEW.tor_id AND c.family = NEW.family)
 AND NOT EXISTS (SELECT 1 FROM tors t JOIN pod_cidrs c ON c.pod_id = t.pod_id
                 WHERE t.id = NEW.tor_id AND c.family = NEW.family
                   AND c.first_key <= NEW.first_key AND c.last_key >= NEW.last_key)
BEGIN
    SELECT RAISE(ABORT, 'netipam: subnet is not inside its pod''s prefix');
END;

-- A subnet's range is fixed; its TOR, purpose and gateway are fixed while it
-- holds allocations.
CREATE TRIGGER subnets_fixed_range BEFORE UPDATE OF cidr, family, first_key, last_key ON subnets
BEGIN
    SELECT RAISE(ABORT, 'netipam: a subnet range cannot change');
END;
CREATE TRIGGER subnets_fixed_while_used BEFORE UPDATE OF tor_id, purpose, gateway ON subnets
WHEN EXISTS (SELECT 1 FROM allocations WHERE subnet = NEW.cidr)
 AND (NEW.tor_id <> OLD.tor_id OR NEW.purpose <> OLD.purpose OR NEW.gateway <> OLD.gateway)
BEGIN
    SELECT RAISE(ABORT, 'netipam: subnet holds allocations');
END;

-- Addresses of a subnet that are never handed out (the topology's exclude).
CREATE TABLE reservations (
    subnet    TEXT NOT NULL REFERENCES subnets(cidr) ON DELETE CASCADE,
    cidr      TEXT NOT NULL,
    first_key TEXT NOT NULL CHECK (length(first_key) = 32),
    last_key  TEXT NOT NULL CHECK (length(last_key) = 32 AND last_key >= first_key),
    PRIMARY KEY (subnet, cidr)
);

CREATE TABLE nodes (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL DEFAULT '',
    tor_id      TEXT NOT NULL REFERENCES tors(id),
    labels      TEXT NOT NULL DEFAULT '{}',
    preferences TEXT NOT NULL DEFAULT '[]',
    created_at  TEXT NOT NULL
);
CREATE INDEX nodes_tor ON nodes (tor_id);

CREATE TRIGGER nodes_fixed_tor_while_used BEFORE UPDATE OF tor_id ON nodes
WHEN NEW.tor_id <> OLD.tor_id AND EXISTS (SELECT 1 FROM allocations WHERE node_id = NEW.id)
BEGIN
    SELECT RAISE(ABORT, 'netipam: node holds allocations on its TOR');
END;

-- container is NULL for an address held by a node itself (the CLI without
-- --container); NULLs never collide in the owner key. network is the CNI
-- network (the config's name) a container address belongs to, so that one
-- network's GC never touches another's; empty for CLI allocations.
CREATE TABLE allocations (
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
    UNIQUE (subnet, address),
    UNIQUE (container, ifname, purpose, family)
);
CREATE UNIQUE INDEX allocations_address ON allocations (address);
CREATE INDEX allocations_node ON allocations (node_id);

-- An allocation lies inside its subnet, is neither its network, broadcast
-- (IPv4) nor gateway address, matches the subnet's purpose and family, and
-- belongs to a node behind the subnet's TOR.
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

-- The append-only ledger: who held what, when.
CREATE TABLE events (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('allocate', 'release', 'gc', 'expand', 'import', 'subnet', 'node')),
    actor     TEXT NOT NULL DEFAULT '',
    address   TEXT NOT NULL DEFAULT '',
    subnet    TEXT NOT NULL DEFAULT '',
    node_id   TEXT NOT NULL DEFAULT '',
    tor_id    TEXT NOT NULL DEFAULT '',
    purpose   TEXT NOT NULL DEFAULT '',
    container TEXT NOT NULL DEFAULT '',
    ifname    TEXT NOT NULL DEFAULT '',
    network   TEXT NOT NULL DEFAULT '',
    pod_ns    TEXT NOT NULL DEFAULT '',
    pod_name  TEXT NOT NULL DEFAULT '',
    detail    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX events_address ON events (address, at);
CREATE INDEX events_subnet ON events (subnet, kind, id);
CREATE INDEX events_container ON events (container, at);

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'netipam: events are append-only');
END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'netipam: events are append-only');
END;
