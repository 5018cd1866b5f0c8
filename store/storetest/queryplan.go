package storetest

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/netipam/netipam/store"
)

// Recorder is a Backend that passes every call to a real backend and
// remembers each statement, so that a test can ask the engine how it runs
// them (AssertIndexed).
type Recorder struct {
	store.Backend
	mu    sync.Mutex
	stmts []store.Stmt
}

var _ store.Backend = (*Recorder)(nil)

// Exec records the batch's statements and runs them.
func (r *Recorder) Exec(ctx context.Context, stmts ...store.Stmt) ([]int64, error) {
	r.mu.Lock()
	r.stmts = append(r.stmts, stmts...)
	r.mu.Unlock()
	return r.Backend.Exec(ctx, stmts...)
}

// Query records the statement and runs it.
func (r *Recorder) Query(ctx context.Context, st store.Stmt) (store.Rows, error) {
	r.mu.Lock()
	r.stmts = append(r.stmts, st)
	r.mu.Unlock()
	return r.Backend.Query(ctx, st)
}

// Take returns the statements recorded so far and forgets them.
func (r *Recorder) Take() []store.Stmt {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.stmts
	r.stmts = nil
	return out
}

// fullScan matches a query-plan step that reads a whole table or index:
// "SCAN allocations", "SCAN a" (an alias), "SCAN events USING COVERING
// INDEX ...". A scan of constant rows, of a VALUES list or of a subquery's
// result is not one.
var fullScan = regexp.MustCompile(`^SCAN (\w+)`)

// notATable are scans of what the statement itself carries.
var notATable = regexp.MustCompile(`^SCAN (CONSTANT ROW|\d+-ROW VALUES CLAUSE)`)

// search matches an index search on one of the two tables that grow with
// use, and captures its constraints: "SEARCH allocations USING INDEX x
// (network=? AND container>?)".
var search = regexp.MustCompile(`^SEARCH (allocations|events)\b.*\((.*)\)$`)

// selective are the columns whose equality bounds what a search of the
// growing tables reads to one address, subnet, container, node or
// release: a search by network alone reads every attachment of the
// network, on every node.
var selective = map[string][]string{
	"allocations": {"address", "subnet", "container", "node_id"},
	"events":      {"address", "subnet", "container", "detail"},
}

// windowed are the columns whose lower bound bounds a search to a recent
// window: the ledger's time (the expansion threshold's window, forecast's
// days), read through events_at. What such a search reads is the events
// of the window, not the ledger's past.
var windowed = map[string][]string{"events": {"at"}}

// cte matches the name of a common table expression a statement defines
// ("WITH RECURSIVE used(subnet) AS (", ", next AS ("): a scan of it reads
// the rows the statement's own searches produced, not a table.
var cte = regexp.MustCompile(`(?i)(?:\bWITH(?:\s+RECURSIVE)?|,)\s+(\w+)\s*(?:\([^)]*\))?\s+AS\s*\(`)

// unbounded says why a plan step of the statement sql reads rows in
// proportion to a whole table, or "".
func unbounded(sql, step string) string {
	if m := fullScan.FindStringSubmatch(step); m != nil && !notATable.MatchString(step) {
		for _, c := range cte.FindAllStringSubmatch(sql, -1) {
			if c[1] == m[1] {
				return ""
			}
		}
		return "a full scan"
	}
	m := search.FindStringSubmatch(step)
	if m == nil {
		return ""
	}
	for _, c := range strings.Split(m[2], " AND ") {
		col, _, eq := strings.Cut(c, "=")
		if eq && slices.Contains(selective[m[1]], col) {
			return ""
		}
		if col, _, gt := strings.Cut(c, ">"); gt && slices.Contains(windowed[m[1]], col) {
			return ""
		}
	}
	return "a search bounded by no selective column"
}

// AssertIndexed runs EXPLAIN QUERY PLAN on every statement with its
// arguments and fails the test for each one that scans a table instead of
// searching an index: the cost of such a statement grows with the table,
// however large the store. what names the path in messages.
func AssertIndexed(t testing.TB, db store.Backend, what string, stmts []store.Stmt) {
	t.Helper()
	if len(stmts) == 0 {
		t.Fatalf("%s: no statement recorded", what)
	}
	seen := map[string]bool{}
	for _, st := range stmts {
		if seen[st.SQL] {
			continue
		}
		seen[st.SQL] = true
		plan, err := QueryPlan(db, st)
		if err != nil {
			t.Errorf("%s: EXPLAIN QUERY PLAN %s: %v", what, oneLine(st.SQL), err)
			continue
		}
		if testing.Verbose() {
			t.Logf("%s: %s\n  -> %s", what, oneLine(st.SQL), strings.Join(plan, " | "))
		}
		for _, step := range plan {
			if why := unbounded(st.SQL, step); why != "" {
				t.Errorf("%s: %s (%q) in\n  %s\nplan: %s", what, why, step, oneLine(st.SQL), strings.Join(plan, " | "))
			}
		}
	}
}

// QueryPlan gives the steps of EXPLAIN QUERY PLAN for a statement with its
// arguments.
func QueryPlan(db store.Backend, st store.Stmt) ([]string, error) {
	rows, err := db.Query(context.Background(), store.Q("EXPLAIN QUERY PLAN "+st.SQL, st.Args...))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notused int64
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			return nil, err
		}
		plan = append(plan, detail)
	}
	return plan, rows.Err()
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
