-- netipam schema, version 3: backstops for the topology checks made in Go
-- (store/topology_guard.go names every offending object first; these
-- refuse what slips past, such as a change made by another process between
-- a plan and its batch).

-- The overlap check looks at one row: subnets never overlap, so a new
-- subnet overlaps some subnet exactly when it overlaps the one starting
-- last at or before its end. The first version scanned every subnet
-- starting before the new one, which made importing n subnets cost n^2.
DROP TRIGGER subnets_no_overlap;
CREATE TRIGGER subnets_no_overlap BEFORE INSERT ON subnets
WHEN EXISTS (SELECT 1 FROM (SELECT cidr, last_key FROM subnets WHERE first_key <= NEW.last_key
                            ORDER BY first_key DESC LIMIT 1) c
             WHERE c.cidr <> NEW.cidr AND c.last_key >= NEW.first_key)
BEGIN
    SELECT RAISE(ABORT, 'netipam: subnet overlaps an existing subnet');
END;

-- A used subnet keeps its TOR and purpose; its gateway may change, but
-- never to an address someone holds.
DROP TRIGGER subnets_fixed_while_used;
CREATE TRIGGER subnets_fixed_while_used BEFORE UPDATE OF tor_id, purpose ON subnets
WHEN (NEW.tor_id <> OLD.tor_id OR NEW.purpose <> OLD.purpose)
 AND EXISTS (SELECT 1 FROM allocations WHERE subnet = NEW.cidr)
BEGIN
    SELECT RAISE(ABORT, 'netipam: subnet holds allocations');
END;
CREATE TRIGGER subnets_gateway_not_held BEFORE UPDATE OF gateway ON subnets
WHEN NEW.gateway <> OLD.gateway AND NEW.gateway <> ''
 AND EXISTS (SELECT 1 FROM allocations WHERE address = NEW.gateway)
BEGIN
    SELECT RAISE(ABORT, 'netipam: the new gateway is an allocated address');
END;

-- A new exclude never covers an allocated address.
CREATE TRIGGER reservations_not_held BEFORE INSERT ON reservations
WHEN NOT EXISTS (SELECT 1 FROM reservations WHERE subnet = NEW.subnet AND cidr = NEW.cidr)
 AND EXISTS (SELECT 1 FROM allocations
             WHERE subnet = NEW.subnet AND addr_key BETWEEN NEW.first_key AND NEW.last_key)
BEGIN
    SELECT RAISE(ABORT, 'netipam: an exclude covers an allocated address');
END;

-- Ids starting "virtual-" belong to the virtual TORs of nodes registered
-- without a TOR.
CREATE TRIGGER tors_virtual_prefix BEFORE INSERT ON tors
WHEN NEW.virtual = 0 AND substr(NEW.id, 1, 8) = 'virtual-'
BEGIN
    SELECT RAISE(ABORT, 'netipam: ids starting with virtual- are reserved for virtual TORs');
END;
CREATE TRIGGER tors_virtual_prefix_kept BEFORE UPDATE OF virtual ON tors
WHEN NEW.virtual = 0 AND substr(NEW.id, 1, 8) = 'virtual-'
BEGIN
    SELECT RAISE(ABORT, 'netipam: ids starting with virtual- are reserved for virtual TORs');
END;
