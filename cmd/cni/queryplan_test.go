package cni

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/containernetworking/cni/pkg/skel"

	"github.com/netipam/netipam/ipam/local"
	"github.com/netipam/netipam/store/storetest"
)

// TestCNIPathsUseIndexes runs every CNI command against a real SQLite store
// and asks the engine how it runs each statement they sent: none may scan
// allocations, events or any other table, so that a call costs the same
// with 100 rows or 1,000,000.
func TestCNIPathsUseIndexes(t *testing.T) {
	st, rec := storetest.DemoRecorded(t)
	silenceStdout(t) // ADD prints its result

	p := &plugin{ctx: context.Background()}
	conf := func(extra string) []byte {
		return []byte(fmt.Sprintf(`{"cniVersion": "1.1.0", "name": "rack-net"%s,
			"ipam": {"type": "netipam", "node": "node-01", "store": "unused", "purposes": ["default", "storage"]}}`, extra))
	}
	call := func(what string, fn handler, container, extra string) {
		t.Helper()
		args := &skel.CmdArgs{ContainerID: container, IfName: "eth0", StdinData: conf(extra),
			Args: "K8S_POD_NAMESPACE=ns;K8S_POD_NAME=web-0"}
		c, err := parseConfig(args.StdinData, os.Hostname)
		if err != nil {
			t.Fatal(err)
		}
		if err := fn(args, c, local.Service{Store: st}); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		storetest.AssertIndexed(t, rec.Backend, what, rec.Take())
	}
	call("ADD", p.add, "c1", "")
	call("ADD again (idempotent)", p.add, "c1", "")
	call("ADD with a static address", p.add, "c2", `, "runtimeConfig": {"ips": ["10.244.0.77"]}`)
	prev := `, "prevResult": {"cniVersion": "1.1.0", "ips": [{"address": "10.244.0.77/22"}]}`
	call("CHECK", p.check, "c2", prev)
	call("DEL", p.del, "c1", "")
	call("DEL of nothing", p.del, "c1", "")
	call("GC", p.gc, "", `, "cni.dev/valid-attachments": [{"containerID": "c2", "ifname": "eth0"}]`)
	call("STATUS", p.status, "", "")
}

// silenceStdout sends os.Stdout to /dev/null until the test ends.
func silenceStdout(t *testing.T) {
	t.Helper()
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = devnull
	t.Cleanup(func() { os.Stdout = stdout; devnull.Close() })
}
