// Package ipam is the application layer's contract: the one Service every
// role asks of netipam (allocate, release, list allocations and subnets, a
// node's TOR, routes, adopt another IPAM's leases), in the domain's
// neutral terms (alloc.Request, topo.Allocation, topo.AllocationFilter,
// topo.SubnetFilter, topo.SubnetRow), and the rules that need only a
// Service (Usage). Three implementations answer it: ipam/local over a
// store in process, the server's Daemon, and the HTTP client
// (server/api.Client, which server.Client extends for the CLI).
//
// It must stay light: the CNI plugin names this interface from its light
// start (cmd/cni/early.go), before the store and the server start, so it
// imports alloc, topo and the standard library only; never the store, the
// server, net/http, prometheus or cobra. The use cases themselves (growth,
// gc, check, expand, reclaim, adopt, forecast, reports) live in
// ipam/local, which may import the store.
package ipam
