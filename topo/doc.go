// Package topo holds netipam's domain: the physical network as zones, pods
// (groups of racks), TORs (top-of-rack switches) and nodes, the subnets each
// TOR owns, and the rules that make a topology valid; the topology file
// (YAML) and its expansion settings; the one duration syntax of every flag,
// setting and API field (ParseDuration, Duration); and the error kinds
// (kinds.go) that exit codes, HTTP statuses and CNI codes map from.
//
// An allocation has one JSON form, its own (allocation_json.go): the CLI
// prints it, the API sends it, a gc report nests it.
//
// It is the bottom of the domain: it imports no other netipam package but
// strictjson (a standard-library leaf that reads its JSON strictly), no
// SQL, no cobra and no HTTP.
package topo
