// Package cni is netipam as a CNI IPAM plugin (spec 0.3.0 to 1.1.0): the
// runtime names the command in CNI_COMMAND and passes the network
// configuration on stdin; netipam reads the config's ipam section, asks
// the server or opens the store once, and answers with a CNI result or a
// CNI error on stdout, nothing else.
//
// It asks an ipam.Service: the API's light client (server/api) for a
// running server, the store in process (ipam/local) from
// Options.OpenStore. The package imports neither the store, ipam/local nor
// the server, so that a call through a running server is answered before
// those heavy packages start (early.go). It imports no cobra and prints
// nothing but the CNI answer.
package cni
