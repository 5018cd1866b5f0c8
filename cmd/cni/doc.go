// Package cni is netipam as a CNI IPAM plugin (spec 0.3.0 to 1.1.0): the
// runtime names the command in CNI_COMMAND and passes the network
// configuration on stdin; netipam reads the config's ipam section, asks
// the server or opens the store once, and answers with a CNI result or a
// CNI error on stdout, nothing else.
//
// The package imports neither the store nor the server's code: it asks a
// Service in the API's terms (package api), so that a call through a
// running server is answered before those heavy packages start (early.go).
// The store, when the plugin needs it, comes from Options.OpenStore. It
// imports no cobra and prints nothing but the CNI answer.
package cni
