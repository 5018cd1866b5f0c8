-- netipam schema, version 7: pools above the TOR. A pod or a zone may own
-- subnets of its own; a node takes a purpose's address from its TOR's
-- subnets first, then its pod's, then its zone's, unless the purpose's
-- strategy pins one level.
--
-- Design: the owner of a pod's or zone's subnets is a pool-owner row in
-- tors, one per pod or zone that has subnets, with level 'pod' or 'zone'
-- and the id 'pod:<pod id>' or 'zone:<zone id>' (':' is never part of a
-- declared id, so these never collide with a TOR, nor with a virtual
-- TOR's 'virtual-<node>'). subnets keeps its shape: subnets.tor_id stays
-- NOT NULL and a foreign key, so every subnet still has exactly one owner,
-- the overlap trigger still sees every subnet, and no table is rebuilt.
-- (Making subnets.tor_id nullable would mean rebuilding subnets, the parent
-- of allocations and reservations, which SQLite and rqlite with foreign
-- keys on cannot do in one batch without losing the reservations to the
-- ON DELETE CASCADE of the drop.) Pool-owner rows are virtual (virtual = 1:
-- no switch, never listed as a TOR, never a node's TOR); a zone's has no
-- pod (the CHECK of version 1 allows a NULL pod_id only for a virtual row)
-- and names its zone in zone_id.
--
-- allocations.tor_id stays the node's TOR, wherever the address comes
-- from: usage per TOR, a node's TOR pinned while it holds addresses, and
-- every index keep their meaning.

ALTER TABLE tors ADD COLUMN level TEXT NOT NULL DEFAULT 'tor' CHECK (level IN ('tor', 'pod', 'zone'));
ALTER TABLE tors ADD COLUMN zone_id TEXT REFERENCES zones(id);

-- A pool owner is virtual, named after what owns it, and owned by exactly
-- that: a pod (pod_id) or a zone (zone_id). A TOR row names no zone.
CREATE TRIGGER tors_pool_owner BEFORE INSERT ON tors
WHEN NOT ((NEW.level = 'tor' AND NEW.zone_id IS NULL)
       OR (NEW.level = 'pod' AND NEW.virtual = 1 AND NEW.zone_id IS NULL AND NEW.pod_id IS NOT NULL
           AND NEW.id = 'pod:' || NEW.pod_id)
       OR (NEW.level = 'zone' AND NEW.virtual = 1 AND NEW.pod_id IS NULL AND NEW.zone_id IS NOT NULL
           AND NEW.id = 'zone:' || NEW.zone_id))
BEGIN
    SELECT RAISE(ABORT, 'netipam: a pool owner is the virtual row pod:<pod> or zone:<zone> of its pod or zone');
END;
CREATE TRIGGER tors_pool_owner_fixed BEFORE UPDATE OF id, level, pod_id, zone_id, virtual ON tors
WHEN NEW.level <> OLD.level OR OLD.level <> 'tor' AND (NEW.id <> OLD.id OR NEW.pod_id IS NOT OLD.pod_id
     OR NEW.zone_id IS NOT OLD.zone_id OR NEW.virtual <> OLD.virtual)
  OR OLD.level = 'tor' AND NEW.zone_id IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'netipam: a pool owner row never changes; a TOR never becomes one');
END;

-- No node sits behind a pool owner.
CREATE TRIGGER nodes_not_on_pool BEFORE INSERT ON nodes
WHEN (SELECT level FROM tors WHERE id = NEW.tor_id) <> 'tor'
BEGIN
    SELECT RAISE(ABORT, 'netipam: a node sits behind a TOR, not a pod''s or zone''s pool');
END;
CREATE TRIGGER nodes_not_on_pool_update BEFORE UPDATE OF tor_id ON nodes
WHEN (SELECT level FROM tors WHERE id = NEW.tor_id) <> 'tor'
BEGIN
    SELECT RAISE(ABORT, 'netipam: a node sits behind a TOR, not a pod''s or zone''s pool');
END;

-- A TOR keeps its pod while its nodes hold addresses of a pool above it
-- (its pod's or zone's): moved, they would hold another pod's addresses.
CREATE TRIGGER tors_pod_fixed_while_pool_used BEFORE UPDATE OF pod_id ON tors
WHEN NEW.pod_id IS NOT OLD.pod_id
 AND EXISTS (SELECT 1 FROM allocations a JOIN subnets s ON s.cidr = a.subnet
             WHERE a.tor_id = NEW.id AND s.tor_id <> NEW.id)
BEGIN
    SELECT RAISE(ABORT, 'netipam: the TOR''s nodes hold addresses of its pod''s or zone''s pool: release them before moving the TOR');
END;

-- A zone's subnet lies inside the zone's prefix of the same family, where
-- the zone declares one (a pod's lies inside the pod's: subnets_inside_pod
-- of version 1 already checks it through the owner row's pod_id).
CREATE TRIGGER subnets_inside_zone BEFORE INSERT ON subnets
WHEN EXISTS (SELECT 1 FROM tors t JOIN zone_cidrs c ON c.zone_id = t.zone_id
             WHERE t.id = NEW.tor_id AND c.family = NEW.family)
 AND NOT EXISTS (SELECT 1 FROM tors t JOIN zone_cidrs c ON c.zone_id = t.zone_id
                 WHERE t.id = NEW.tor_id AND c.family = NEW.family
                   AND c.first_key <= NEW.first_key AND c.last_key >= NEW.last_key)
BEGIN
    SELECT RAISE(ABORT, 'netipam: subnet is not inside its zone''s prefix');
END;

-- An allocation lies inside its subnet, is neither its network, broadcast
-- (IPv4) nor gateway address, matches the subnet's purpose and family, and
-- belongs to a node whose TOR (the allocation's tor_id) owns the subnet,
-- or whose TOR's pod or that pod's zone does. Replaces the trigger of
-- version 2, which accepted the node's TOR's subnets only.
DROP TRIGGER allocations_in_subnet;
CREATE TRIGGER allocations_in_subnet BEFORE INSERT ON allocations
WHEN NOT EXISTS (
    SELECT 1 FROM subnets s JOIN nodes n ON n.id = NEW.node_id JOIN tors o ON o.id = s.tor_id
    WHERE s.cidr = NEW.subnet
      AND n.tor_id = NEW.tor_id
      AND (s.tor_id = n.tor_id
           OR (o.level = 'pod' AND o.pod_id = (SELECT t.pod_id FROM tors t WHERE t.id = n.tor_id))
           OR (o.level = 'zone' AND o.zone_id = (SELECT p.zone_id FROM tors t JOIN pods p ON p.id = t.pod_id
                                                 WHERE t.id = n.tor_id)))
      AND s.purpose = NEW.purpose AND s.family = NEW.family
      AND NEW.addr_key > s.first_key AND NEW.addr_key <= s.last_key
      AND (s.family = 6 OR NEW.addr_key < s.last_key)
      AND NEW.address <> s.gateway)
BEGIN
    SELECT RAISE(ABORT, 'netipam: address is not a usable address of a subnet of the node''s TOR, pod or zone');
END;

-- A purpose's strategy pins the level its addresses come from.
CREATE TABLE strategies (
    purpose TEXT PRIMARY KEY CHECK (purpose <> ''),
    level   TEXT NOT NULL CHECK (level IN ('tor', 'pod', 'zone'))
);
