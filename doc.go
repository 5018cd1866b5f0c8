// Command netipam is a topology-aware IPAM: a CLI, and a CNI IPAM plugin
// when a container runtime starts it with CNI_COMMAND set.
//
// main only dispatches: to the CNI plugin (cmd/cni) or to the command
// line (cmd). It holds no rule and no output of its own.
package main
