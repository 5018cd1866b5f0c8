package cmd

import (
	"strings"
	"testing"

	"github.com/netipam/netipam/topo"
)

func TestParseLive(t *testing.T) {
	l, err := parseLive("f", []byte("# head\n\nnet1 c1 eth0  # trailing\n- c2 net1\n\tnet2\tc3\teth1\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"net1/c1/eth0", "/c2/net1", "net2/c3/eth1"}
	if l.byContainer || len(l.attachments) != len(want) {
		t.Fatalf("%+v", l)
	}
	for i, a := range l.attachments {
		if got := a.Network + "/" + a.Container + "/" + a.IfName; got != want[i] {
			t.Errorf("line %d: %s, want %s", i, got, want[i])
		}
	}
	l, err = parseLive("f", []byte(` {"items": [{"id": "abc", "metadata": {"name": "web", "namespace": "ns"}}, {"id": "def"}]}`))
	if err != nil || !l.byContainer || len(l.attachments) != 2 || l.attachments[1].Container != "def" {
		t.Fatalf("crictl: %+v %v", l, err)
	}
}

// FuzzParseLive: any input is either refused with an error naming the
// file, or gives attachments that all pass validation; never a panic.
func FuzzParseLive(f *testing.F) {
	for _, s := range []string{"net1 c1 eth0\n", "# x\n- c eth0", `{"items":[{"id":"a"}]}`, `{"items":[{"id":""}]}`,
		"a b", "{", "net\x00 c eth0"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := parseLive("live.txt", data)
		if err != nil {
			if !strings.Contains(err.Error(), "live.txt") {
				t.Fatalf("error without the file's name: %v", err)
			}
			return
		}
		for _, a := range l.attachments {
			check := topo.Attachment(a)
			if l.byContainer {
				check.IfName = "eth0"
			}
			if err := topo.ValidateAttachment(check); err != nil {
				t.Fatalf("accepted %+v: %v", a, err)
			}
		}
	})
}
