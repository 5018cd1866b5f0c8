package cni

import (
	"context"
	"os"
	"testing"

	"github.com/containernetworking/cni/pkg/skel"

	"github.com/netipam/netipam/ipam/local"
	"github.com/netipam/netipam/store/storetest"
)

// ADD with aggregate_routes reads the TOR's subnets from an index too.
func TestCNIAggregateRoutesUseIndexes(t *testing.T) {
	st, rec := storetest.DemoRecorded(t)
	silenceStdout(t) // ADD prints its result
	conf := []byte(`{"cniVersion": "1.1.0", "name": "rack-net",
		"ipam": {"type": "netipam", "node": "node-01", "store": "unused", "aggregate_routes": "tor"}}`)
	args := &skel.CmdArgs{ContainerID: "c1", IfName: "eth0", StdinData: conf}
	c, err := parseConfig(conf, os.Hostname)
	if err != nil {
		t.Fatal(err)
	}
	p := &plugin{ctx: context.Background()}
	if err := p.add(args, c, local.Service{Store: st}); err != nil {
		t.Fatal(err)
	}
	if len(c.Routes) == 0 {
		t.Fatal("ADD with aggregate_routes added no route")
	}
	storetest.AssertIndexed(t, rec.Backend, "ADD with aggregate_routes", rec.Take())
}
