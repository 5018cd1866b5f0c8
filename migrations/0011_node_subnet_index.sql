-- netipam schema, version 11: allocations_node also orders a node's rows
-- of a network by subnet. The allocator asks, for every allocation of a
-- node, which subnets the node holds addresses of in that network and its
-- earliest allocation in each (store.FirstUse, the rule that keeps a
-- node's containers in one subnet). On (node_id, network) that read was
-- a range over every allocation of the node in the network, which grows
-- with the node; on (node_id, network, subnet) it is one seek per subnet
-- the node uses (the subnets found by a skip scan of the index, each one's
-- MIN(rowid) the first entry of its range). Every query that used the
-- index by its two first columns still does.

DROP INDEX allocations_node;
CREATE INDEX allocations_node ON allocations (node_id, network, subnet);
