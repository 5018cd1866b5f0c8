package migrations

// TableDoc describes one table of the schema for people who write their
// own queries (`netipam sql --schema`). A test checks that every column of
// every table of the live schema has a description and that no
// description names a column that does not exist: a migration that adds
// a column adds its line here.
type TableDoc struct {
	Name    string
	Doc     string
	Columns map[string]string
}

// Addresses are stored as text and as a key: 32 hex digits of the 16-byte
// form (IPv4 as ::ffff:a.b.c.d), so that text order is address order for
// both families. Times are RFC 3339 UTC with nine fraction digits, so that
// text order is time order.
const (
	keyDoc   = "fixed-width key of the address: 32 hex digits of its 16-byte form (IPv4 as ::ffff:a.b.c.d); compare these, not the text, for ranges"
	firstDoc = "key of the first address of cidr (see allocations.addr_key)"
	lastDoc  = "key of the last address of cidr"
	famDoc   = "address family: 4 or 6"
	timeDoc  = "RFC 3339 UTC, nine fraction digits: text order is time order"
	madeDoc  = "when the row was created (" + timeDoc + ")"
)

// Tables describes every table, in the order `netipam sql --schema` prints
// them.
var Tables = []TableDoc{
	{"zones", "availability zones or sites, the top of the topology", map[string]string{
		"id":         "zone ID from the topology file",
		"name":       "human name",
		"created_at": madeDoc,
	}},
	{"zone_cidrs", "the prefixes of each zone (one row per prefix)", map[string]string{
		"zone_id":   "the zone (zones.id)",
		"cidr":      "prefix, e.g. 10.244.0.0/16",
		"family":    famDoc,
		"first_key": firstDoc,
		"last_key":  lastDoc,
	}},
	{"pods", "groups of racks inside a zone, whose prefixes the spine routes", map[string]string{
		"id":         "pod ID from the topology file",
		"zone_id":    "the zone it belongs to (zones.id)",
		"name":       "human name",
		"created_at": madeDoc,
	}},
	{"pod_cidrs", "the prefixes of each pod; expansion never leaves them", map[string]string{
		"pod_id":    "the pod (pods.id)",
		"cidr":      "prefix, e.g. 10.244.0.0/20",
		"family":    famDoc,
		"first_key": firstDoc,
		"last_key":  lastDoc,
	}},
	{"tors", "top-of-rack switches; a virtual TOR (no pod) holds a node registered without one", map[string]string{
		"id":         "TOR ID from the topology file, or virtual-<node> for a virtual TOR",
		"pod_id":     "the pod it sits in (pods.id); NULL for a virtual TOR",
		"name":       "human name, e.g. the switch's hostname",
		"location":   "where it is, e.g. the rack",
		"virtual":    "1 for a virtual TOR (compatibility mode) or a pool owner, else 0",
		"level":      "tor; or pod / zone for the pool owner pod:<id> / zone:<id> that holds a pod's or zone's own subnets",
		"zone_id":    "the zone a zone's pool owner belongs to (zones.id); NULL otherwise",
		"created_at": madeDoc,
	}},
	{"subnets", "the subnets a TOR hands addresses from, one purpose each; never overlapping", map[string]string{
		"cidr":       "the subnet, e.g. 10.244.0.0/22 (primary key)",
		"family":     famDoc,
		"purpose":    "what its addresses are for: default, storage, management or a custom name",
		"tor_id":     "the TOR that owns it (tors.id)",
		"gateway":    "gateway address handed out with its addresses, never allocated; empty for none",
		"first_key":  firstDoc,
		"last_key":   lastDoc,
		"source":     "how it came: import (topology file), cli (subnet add) or expand (claimed by expansion)",
		"created_at": madeDoc,
	}},
	{"reservations", "addresses of a subnet that are never handed out (the topology's exclude)", map[string]string{
		"subnet":    "the subnet (subnets.cidr)",
		"cidr":      "the excluded range as a prefix (a range from the file is stored as its prefixes)",
		"first_key": firstDoc,
		"last_key":  lastDoc,
	}},
	{"nodes", "machines that get addresses, each behind one TOR", map[string]string{
		"id":          "node ID (the Kubernetes node name or host name)",
		"name":        "human name",
		"tor_id":      "the TOR it is cabled to (tors.id); fixed while it holds addresses",
		"labels":      "labels as a JSON object",
		"preferences": "subnet preferences as a JSON array",
		"created_at":  madeDoc,
	}},
	{"allocations", "addresses held right now: one row per address (released rows are deleted; the ledger keeps them)", map[string]string{
		"subnet":       "the subnet it is from (subnets.cidr)",
		"address":      "the address as text, e.g. 10.244.0.7 (unique)",
		"addr_key":     keyDoc,
		"family":       famDoc,
		"purpose":      "the subnet's purpose",
		"node_id":      "the node holding it (nodes.id)",
		"tor_id":       "the node's TOR, which owns the subnet (tors.id)",
		"container":    "CNI container ID owning it; NULL for an address held by the node itself (CLI without --container)",
		"ifname":       "interface name in the container, e.g. eth0",
		"network":      "CNI network name (the config's name); empty for CLI allocations",
		"pod_ns":       "Kubernetes namespace of the pod, when the runtime said",
		"pod_name":     "Kubernetes pod name, when the runtime said",
		"allocated_at": "when it was allocated (" + timeDoc + ")",
	}},
	{"events", "the append-only ledger: every allocation, release, gc, expansion, import and registration, with actor and time", map[string]string{
		"id":        "ledger position: increases with every event (the change feed reads by it)",
		"at":        "when it happened (" + timeDoc + "); never more than 5 minutes before the latest event (the schema refuses it)",
		"kind":      "allocate, release, gc, expand, import, subnet or node",
		"actor":     "who did it: user@host of the process",
		"address":   "the address allocated or released; empty for other kinds",
		"subnet":    "the subnet concerned",
		"node_id":   "the node concerned",
		"tor_id":    "the TOR concerned",
		"purpose":   "the purpose concerned",
		"container": "CNI container ID; empty when none",
		"ifname":    "container interface name",
		"network":   "CNI network name",
		"pod_ns":    "Kubernetes namespace of the pod",
		"pod_name":  "Kubernetes pod name",
		"detail":    "free text: a release's token, an import's summary, a node change",
	}},
	{"event_archives", "each run of `netipam events archive`: which old events went to which file", map[string]string{
		"id":         "archive number",
		"at":         "when the archive ran (the archiver's clock)",
		"before":     "events older than this were archived; at least 30 days before at and before the latest event of the ledger",
		"through_id": "the highest event id written to the file; only events up to it and older than before could be deleted",
		"events":     "how many events were written and deleted",
		"file":       "the JSON-lines file they went to",
		"actor":      "who ran it: user@host",
	}},
	{"settings", "the topology file's expansion: settings, as topo import stored them", map[string]string{
		"key":        "setting name, e.g. expansion",
		"value":      "its value (JSON)",
		"updated_at": "when topo import last changed it",
	}},
	{"strategies", "the topology file's strategies: a purpose pinned to one pool level", map[string]string{
		"purpose": "the purpose pinned",
		"level":   "tor, pod or zone: the only level that purpose's addresses come from",
	}},
	{"gc_candidates", "allocations `netipam gc` found missing from a node's live attachments, waiting for their grace period", map[string]string{
		"address":       "the allocation's address (allocations.address)",
		"node_id":       "the node that holds it",
		"network":       "CNI network name of the attachment",
		"container":     "CNI container ID of the attachment",
		"ifname":        "container interface name of the attachment",
		"allocated_at":  "the allocation's time: a candidate names that allocation, never a later one of the address",
		"missing_since": "when a gc run first found it missing",
		"first_run":     "the gc run that marked it (gc_runs.id)",
		"last_run":      "the latest gc run that found it still missing",
		"last_seen":     "when that run was",
	}},
	{"gc_runs", "each `netipam gc` run that marked or released something", map[string]string{
		"id":       "run id; gc events carry gc:<id> in detail",
		"node_id":  "the node collected",
		"at":       "when it ran",
		"source":   "live (a live list) or report (--from-report)",
		"grace":    "the grace period it used, e.g. 15m0s",
		"marked":   "candidates it marked",
		"expected": "releases a reviewed report listed; NULL for a live run",
		"matched":  "releases that still matched (must equal expected)",
	}},
	{"subnet_counts", "how many allocations each subnet holds, kept by triggers with every change", map[string]string{
		"subnet": "the subnet (subnets.cidr)",
		"used":   "its allocations now",
	}},
	{"schema_migrations", "the migrations applied to this store", map[string]string{
		"version":    "migration number (migrations/NNNN_name.sql)",
		"name":       "migration name",
		"applied_at": "when it was applied",
	}},
}
