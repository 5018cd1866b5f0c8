package e2e

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestCNIConcurrentAddDel runs 200 ADDs from 32 parallel plugin processes
// on one node, each for its own container: every address is distinct and
// recorded. Then 200 DELs, as parallel, leave the pool empty. A call
// answered 11 (try again later) is called again, as a runtime does; any
// other failure fails the test.
func TestCNIConcurrentAddDel(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: 400 plugin processes")
	}
	url, path := seeded(t)
	conf := netConf("1.0.0", url, `"node": "node-01"`)
	const calls, workers = 200, 32
	var retries atomic.Int64
	defer func() {
		if n := retries.Load(); n > 0 {
			t.Logf("%d calls answered 11 (try again later) and were called again", n)
		}
	}()
	each := func(cmd string, fn func(i int, out string)) {
		jobs := make(chan int)
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range jobs {
					call := cniCall{command: cmd, container: fmt.Sprintf("conc-%03d", i), conf: conf}
					r := runPlugin(t, binary, call)
					// A runtime calls again after code 11 (try again later:
					// the store stayed locked past its busy timeout, which a
					// loaded machine can make 32 callers meet); at most twice.
					for try := 0; try < 2 && r.code != 0 && tryAgain(r.stdout); try++ {
						retries.Add(1)
						time.Sleep(200 * time.Millisecond)
						r = runPlugin(t, binary, call)
					}
					if r.code != 0 {
						t.Errorf("%s conc-%03d: exit %d: %s%s", cmd, i, r.code, r.stdout, r.stderr)
						continue
					}
					fn(i, r.stdout)
				}
			}()
		}
		for i := range calls {
			jobs <- i
		}
		close(jobs)
		wg.Wait()
	}
	var mu sync.Mutex
	got := map[string]int{} // address -> call
	each("ADD", func(i int, out string) {
		res := parseResultTB(t, "1.0.0", out)
		mu.Lock()
		defer mu.Unlock()
		if len(res) != 2 {
			t.Errorf("conc-%03d got %v, want an IPv4 and an IPv6 address", i, res)
		}
		for _, a := range res {
			if prev, dup := got[a]; dup {
				t.Errorf("%s handed to conc-%03d and conc-%03d", a, prev, i)
			}
			got[a] = i
		}
	})
	if t.Failed() {
		t.FailNow()
	}
	rows := held(t, path)
	if len(got) != 2*calls || len(rows) != 2*calls {
		t.Fatalf("printed %d addresses, table holds %d: want %d", len(got), len(rows), 2*calls)
	}
	for _, h := range rows {
		if i, ok := got[h.address]; !ok || h.container != fmt.Sprintf("conc-%03d", i) {
			t.Errorf("table row %+v does not match what was printed", h)
		}
	}
	each("DEL", func(int, string) {})
	if rows := held(t, path); len(rows) != 0 {
		t.Fatalf("after %d DELs the table holds %d allocations", calls, len(rows))
	}
	var subnets []struct {
		CIDR string `json:"cidr"`
		TOR  string `json:"tor"`
		Used uint64 `json:"used"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, url, "subnet", "list", "-o", "json")), &subnets); err != nil {
		t.Fatal(err)
	}
	for _, s := range subnets {
		if s.Used != 0 {
			t.Errorf("subnet %s of %s still has %d used", s.CIDR, s.TOR, s.Used)
		}
	}
	checkIntegrity(t, path)
}

// parseResultTB reads the addresses (with prefix length) of a 1.0.0 result.
func parseResultTB(t testing.TB, ver, out string) []string {
	t.Helper()
	var res struct {
		CNIVersion string `json:"cniVersion"`
		IPs        []struct {
			Address string `json:"address"`
		} `json:"ips"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.CNIVersion != ver {
		t.Errorf("result %q (%v): want a %s result", out, err, ver)
		return nil
	}
	var as []string
	for _, ip := range res.IPs {
		a, _, _ := strings.Cut(ip.Address, "/")
		as = append(as, a)
	}
	return as
}

// TestCNIStoreBusyIsTryAgain: while another writer holds the SQLite write
// lock longer than the busy timeout, ADD answers 11 (try again later) and
// records nothing.
func TestCNIStoreBusyIsTryAgain(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: waits out the store's busy timeout (10 s)")
	}
	t.Parallel()
	url, path := seeded(t)
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(1000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	e := cniFail(t, cniCall{command: "ADD", container: "busy", conf: netConf("1.0.0", url, `"node": "node-01"`)})
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	if e.Code != 11 || !strings.Contains(e.Msg, "try again later") {
		t.Fatalf("got %+v, want code 11 (try again later)", e)
	}
	if rows := held(t, path); len(rows) != 0 {
		t.Fatalf("busy ADD recorded %v", rows)
	}
}

// tryAgain reports whether a plugin's error result is CNI code 11.
func tryAgain(stdout string) bool {
	var e struct {
		Code int `json:"code"`
	}
	return json.Unmarshal([]byte(stdout), &e) == nil && e.Code == 11
}
