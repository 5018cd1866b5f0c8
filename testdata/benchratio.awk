# Prints one table of every benchmark of `make bench`: netipam's median, the
# median of its reference measured in the same run, and their ratio; and
# writes the same rows as JSON (-v json=FILE) for comparison over time.
# Then prints issue 16's targets, each with its measured figure (the ratio
# to its reference, or the value for an absolute target), the reference
# beside it and PASS or SHORT (NOT RUN when its benchmark is missing from
# the input), and writes them as JSON (-v results=FILE).
# Input: `go test -bench` output. A row names the benchmark and unit of
# netipam's figure and of its reference (the same benchmark when it
# measures its reference itself).
function median(key,   n, i, j, t, a) {
	n = split(vals[key], a, " ")
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
/^Benchmark[^ ]*-[0-9]+ / {
	name = $1; sub(/-[0-9]+$/, "", name)
	for (i = 3; i < NF; i += 2) vals[name "|" $(i + 1)] = vals[name "|" $(i + 1)] " " $i
}
function row(label, name, unit, ref, refunit, target,   m, r, ratio) {
	if (!((name "|" unit) in vals)) return
	m = median(name "|" unit)
	r = ((ref "|" refunit) in vals) ? median(ref "|" refunit) : ""
	ratio = (r != "" && r != 0) ? sprintf("%.3f", m / r) : ""
	printf "%-52s %14.2f %-12s %14s %-16s %7s  %s\n", label, m, unit, (r == "" ? "-" : sprintf("%.2f", r)), (r == "" ? "" : refunit), (ratio == "" ? "-" : ratio), target
	rows = rows (rows == "" ? "" : ",\n") sprintf("  {\"benchmark\": \"%s\", \"what\": \"%s\", \"value\": %s, \"unit\": \"%s\", \"reference\": %s, \"reference_unit\": \"%s\", \"ratio\": %s, \"target\": \"%s\"}",
		name, label, m, unit, (r == "" ? "null" : r), refunit, (ratio == "" ? "null" : ratio), target)
}
# same prints a benchmark's figure next to the reference it measured on
# the same line (in the same run).
function same(name, unit, refunit,   m, r) {
	if (!((name "|" unit) in vals) || !((name "|" refunit) in vals)) return
	m = median(name "|" unit); r = median(name "|" refunit)
	printf "%-44s %12.2f %-9s reference %-36s %12.2f   ratio %.3f\n", name, m, unit, refunit, r, m / r
}
# target prints one of issue 16's targets. by is "ratio" (the median over
# the reference's median must satisfy op limit) or "value" (the median
# itself must). The reference is printed either way.
function target(label, name, unit, ref, refunit, by, op, limit, shown,   m, r, ratio, x, verdict) {
	m = ((name "|" unit) in vals) ? median(name "|" unit) : ""
	r = ((ref "|" refunit) in vals) ? median(ref "|" refunit) : ""
	ratio = (m != "" && r != "" && r != 0) ? m / r : ""
	x = (by == "ratio") ? ratio : m
	if (x == "") verdict = "NOT RUN"
	else if (op == "<=") verdict = (x + 0 <= limit + 0) ? "PASS" : "SHORT"
	else verdict = (x + 0 >= limit + 0) ? "PASS" : "SHORT"
	printf "%-50s %14s %-16s %14s %-22s %7s  %-16s %s\n", label, (m == "" ? "-" : sprintf("%.2f", m)), unit,
		(r == "" ? "-" : sprintf("%.2f", r)), refunit, (ratio == "" ? "-" : sprintf("%.3f", ratio)), shown, verdict
	results = results (results == "" ? "" : ",\n") sprintf("  {\"name\": \"%s\", \"benchmark\": \"%s\", \"value\": %s, \"unit\": \"%s\", \"reference\": %s, \"reference_unit\": \"%s\", \"ratio\": %s, \"target\": \"%s\", \"target_on\": \"%s\", \"verdict\": \"%s\"}",
		label, name, (m == "" ? "null" : m), unit, (r == "" ? "null" : r), refunit, (ratio == "" ? "null" : sprintf("%.4f", ratio)), shown, by, verdict)
}
function targets() {
	printf "\n== issue 16 targets: each measured beside its reference in the same run\n"
	printf "%-50s %14s %-16s %14s %-22s %7s  %-16s %s\n", "target", "netipam", "unit", "reference", "unit", "ratio", "target", "verdict"
	target("CNI VERSION vs a trivial static Go binary", "BenchmarkPluginStart/netipam", "ns/op", "BenchmarkPluginStart/trivial", "ns/op", "ratio", "<=", 1.3, "ratio <= 1.3")
	s = "BenchmarkCNIAddServer/ipv4/callers=1"
	target("CNI ADD via server, IPv4, p50 vs host-local", s, "netipam-p50-ms", s, "host-local-p50-ms", "ratio", "<=", 0.8, "ratio <= 0.8")
	s = "BenchmarkCNIAddServer/dual-stack/callers=1"
	target("CNI ADD via server, dual-stack, p50", s, "netipam-p50-ms", s, "host-local-p50-ms", "ratio", "<=", 0.6, "ratio <= 0.6")
	s = "BenchmarkCNIAddServer/ipv4/callers=8"
	target("CNI ADD via server, IPv4, 8 callers, p50", s, "netipam-p50-ms", s, "host-local-p50-ms", "ratio", "<=", 0.6, "ratio <= 0.6")
	target("CNI ADD via server, IPv4, 8 callers, p99", s, "netipam-p99-ms", s, "host-local-p99-ms", "ratio", "<=", 0.8, "ratio <= 0.8")
	s = "BenchmarkCNIAddServer/dual-stack/callers=8"
	target("CNI ADD via server, dual-stack, 8 callers, p50", s, "netipam-p50-ms", s, "host-local-p50-ms", "ratio", "<=", 0.6, "ratio <= 0.6")
	target("CNI ADD via server, dual-stack, 8 callers, p99", s, "netipam-p99-ms", s, "host-local-p99-ms", "ratio", "<=", 0.8, "ratio <= 0.8")
	s = "BenchmarkCNIAdd/ipv4/callers=1"
	target("CNI ADD direct, IPv4, p50 vs host-local", s, "netipam-p50-ms", s, "host-local-p50-ms", "ratio", "<=", 1.5, "ratio <= 1.5")
	s = "BenchmarkCNIAdd/dual-stack/callers=1"
	target("CNI ADD direct, dual-stack, p50 vs host-local", s, "netipam-p50-ms", s, "host-local-p50-ms", "ratio", "<=", 1.0, "ratio <= 1.0")
	target("serve, 64 clients, unix socket (vs in process)", "BenchmarkServeAllocate", "server-allocs/s", "BenchmarkServeAllocate", "local-allocs/s", "value", ">=", 12000, ">= 12000/s")
	target("group write, 64 allocations + ledger per tx", "BenchmarkGroupWriteCost", "full-rows/s", "BenchmarkGroupWriteCost", "no-triggers-no-secondary-indexes-rows/s", "value", ">=", 50000, ">= 50000 rows/s")
	target("CNI ADD at 1M rows vs empty store, p50", "BenchmarkScale/cni-add", "1M-p50-ms", "BenchmarkScale/cni-add", "empty-p50-ms", "ratio", "<=", 1.2, "ratio <= 1.2")
	target("import 10,000 subnets (vs parse+validate)", "BenchmarkImport10k/initial", "ns/op", "BenchmarkImport10k/reference-parse", "ns/op", "value", "<=", 3e9, "<= 3 s")
	target("check at 1M allocations (vs COUNT(*))", "BenchmarkCheck1M", "check-ms", "BenchmarkCheck1M", "count-ms", "value", "<=", 10000, "<= 10000 ms")
	if (resultsfile != "") {
		printf "[\n%s\n]\n", results > resultsfile
		printf "\n(targets written to %s)\n", resultsfile
	}
}
END {
	printf "\n== make bench: medians, each beside its reference from the same run\n"
	printf "%-52s %14s %-12s %14s %-16s %7s  %s\n", "what", "netipam", "unit", "reference", "unit", "ratio", "target"
	ms = "BenchmarkReferenceMapSet"
	row("Next alone, /16 empty", "BenchmarkNextOnly/fill=0", "ns/op", ms, "ns/op", "<= 10 ns")
	row("Next alone, /16 half full", "BenchmarkNextOnly/fill=50", "ns/op", ms, "ns/op", "<= 10 ns")
	row("Next alone, /16 99% full", "BenchmarkNextOnly/fill=99", "ns/op", ms, "ns/op", "<= 10 ns")
	row("Next + Release, /16 empty", "BenchmarkNext/fill=0", "ns/op", ms, "ns/op", "")
	row("Next + Release, /16 99% full", "BenchmarkNext/fill=99", "ns/op", ms, "ns/op", "")
	row("Next in an IPv6 /64", "BenchmarkNextIPv6_64", "ns/op", ms, "ns/op", "")
	row("expansion: prefixes per TOR (mean) vs random blocks", "BenchmarkExpansionAggregation", "prefixes/tor", "BenchmarkExpansionAggregation", "random-prefixes/tor", "<= 0.5")
	row("expansion: prefixes per TOR (p95) vs random blocks", "BenchmarkExpansionAggregation", "p95-prefixes/tor", "BenchmarkExpansionAggregation", "random-p95-prefixes/tor", "<= 3")
	row("one-shot allocation with threshold check vs without", "BenchmarkLocalAllocateExpansionCheck", "local-us/alloc", "BenchmarkLocalAllocateExpansionCheck", "bare-us/alloc", "")
	row("durable allocation, SQLite, vs plain INSERT", "BenchmarkDurableAlloc/netipam-alloc", "allocs/s", "BenchmarkDurableAlloc/plain-insert", "allocs/s", "")
	row("rqlite, 8 workers, vs raw single-row writes", "BenchmarkRqliteAllocVsRaw/8-workers", "allocs/s", "BenchmarkRqliteAllocVsRaw/8-workers", "raw-writes/s", ">= 0.8")
	row("rqlite, alloc --count 1000 in one batch", "BenchmarkRqliteBatch/N=1000", "addrs/s", "", "", ">= 20000/s")
	row("group commit, SQLite, 64 callers, vs raw batched INSERT", "BenchmarkGroupCommitSQLite", "allocs/s", "BenchmarkGroupCommitSQLite", "raw-rows/s", ">= 0.4 and 50000/s")
	row("group commit, SQLite, vs its own write of 64 rows", "BenchmarkGroupCommitSQLite", "allocs/s", "BenchmarkGroupWriteCost", "full-rows/s", "")
	row("SQLite, 64 allocations + ledger per tx, vs bare table", "BenchmarkGroupWriteCost", "full-rows/s", "BenchmarkGroupWriteCost", "no-triggers-no-secondary-indexes-rows/s", ">= 50000/s")
	row("SQLite, 64 allocations per tx without ledger rows", "BenchmarkGroupWriteCost", "no-ledger-rows/s", "BenchmarkGroupWriteCost", "full-rows/s", "")
	row("SQLite, CPU per row: full write vs bare table", "BenchmarkGroupWriteCost", "full-cpu-us/row", "BenchmarkGroupWriteCost", "bare-cpu-us/row", "")
	row("SQLite, allocation rows alone (no ledger, index, trigger)", "BenchmarkGroupWriteCost", "allocations-only-bare-rows/s", "BenchmarkGroupWriteCost", "full-rows/s", "")
	row("SQLite, 64 allocations + ledger, no fsync", "BenchmarkGroupWriteCost", "full-without-fsync-rows/s", "BenchmarkGroupWriteCost", "full-rows/s", "")
	row("group commit, rqlite, 64 callers, vs raw single-row writes", "BenchmarkGroupCommitRqlite", "allocs/s", "BenchmarkGroupCommitRqlite", "raw-writes/s", ">= 3")
	row("server, 64 clients on a unix socket vs in process", "BenchmarkServeAllocate", "server-allocs/s", "BenchmarkServeAllocate", "local-allocs/s", ">= 12000/s")
	row("server, 64 clients on a unix socket vs the bare transport", "BenchmarkServeAllocate", "server-allocs/s", "BenchmarkServeAllocate", "bare-socket-req/s", "")
	row("metrics scrape over 1M allocations vs a GROUP BY", "BenchmarkMetricsScrape/scrape", "ns/op", "BenchmarkMetricsScrape/raw-group-by", "ns/op", "")
	row("check over 1M allocations vs COUNT(*)", "BenchmarkCheck1M", "check-ms", "BenchmarkCheck1M", "count-ms", "")
	row("forecast: 7-day window of 1M events vs COUNT(*)", "BenchmarkEventCounts/window-7d", "ns/op", "BenchmarkEventCounts/count-reference", "ns/op", "")
	row("server start-up: load 1M rows into pools vs raw read", "BenchmarkLoadAll1M", "load-ms", "BenchmarkLoadAll1M", "read-ms", "<= 1000 ms")
	row("server start-up: peak RSS vs raw read", "BenchmarkLoadAll1M", "peak-MB", "BenchmarkLoadAll1M", "read-peak-MB", "<= 200 MB")
	row("CNI ADD, sequential, vs host-local (p50)", "BenchmarkCNIAdd/dual-stack/callers=1", "netipam-p50-ms", "BenchmarkCNIAdd/dual-stack/callers=1", "host-local-p50-ms", "<= 1.0")
	row("CNI ADD, IPv4, sequential, vs host-local (p50)", "BenchmarkCNIAdd/ipv4/callers=1", "netipam-p50-ms", "BenchmarkCNIAdd/ipv4/callers=1", "host-local-p50-ms", "<= 1.5")
	row("CNI ADD, 8 callers, vs host-local (p50)", "BenchmarkCNIAdd/dual-stack/callers=8", "netipam-p50-ms", "BenchmarkCNIAdd/dual-stack/callers=8", "host-local-p50-ms", "")
	row("CNI ADD via server, dual-stack, vs host-local (p50)", "BenchmarkCNIAddServer/dual-stack/callers=1", "netipam-p50-ms", "BenchmarkCNIAddServer/dual-stack/callers=1", "host-local-p50-ms", "<= 0.6")
	row("CNI ADD via server, IPv4, vs host-local (p50)", "BenchmarkCNIAddServer/ipv4/callers=1", "netipam-p50-ms", "BenchmarkCNIAddServer/ipv4/callers=1", "host-local-p50-ms", "<= 0.8")
	row("CNI ADD via server, dual, 8 callers (p50)", "BenchmarkCNIAddServer/dual-stack/callers=8", "netipam-p50-ms", "BenchmarkCNIAddServer/dual-stack/callers=8", "host-local-p50-ms", "<= 0.6")
	row("CNI ADD via server, IPv4, 8 callers (p50)", "BenchmarkCNIAddServer/ipv4/callers=8", "netipam-p50-ms", "BenchmarkCNIAddServer/ipv4/callers=8", "host-local-p50-ms", "<= 0.6")
	row("plugin start (VERSION) vs host-local", "BenchmarkPluginStart/netipam", "ns/op", "BenchmarkPluginStart/host-local", "ns/op", "")
	row("plugin start (VERSION) vs a trivial Go binary", "BenchmarkPluginStart/netipam", "ns/op", "BenchmarkPluginStart/trivial", "ns/op", "<= 1.3")
	row("CNI ADD floor: the full start alone vs host-local ADD", "BenchmarkCNIFloors", "start-p50-ms", "BenchmarkCNIFloors", "host-local-p50-ms", "")
	row("CNI ADD floor: a minimal client of the server vs host-local", "BenchmarkCNIFloors", "minimal-client-p50-ms", "BenchmarkCNIFloors", "host-local-p50-ms", "")
	row("CNI ADD, 1M rows vs empty store (p50)", "BenchmarkScale/cni-add", "1M-p50-ms", "BenchmarkScale/cni-add", "empty-p50-ms", "<= 1.2")
	row("CNI DEL, 1M rows vs empty store (p50)", "BenchmarkScale/cni-del", "1M-p50-ms", "BenchmarkScale/cni-del", "empty-p50-ms", "<= 1.2")
	row("CLI alloc, 1M rows vs empty store (p50)", "BenchmarkScale/cli-alloc", "1M-p50-ms", "BenchmarkScale/cli-alloc", "empty-p50-ms", "<= 1.2")
	row("CLI release, 1M rows vs empty store (p50)", "BenchmarkScale/cli-release", "1M-p50-ms", "BenchmarkScale/cli-release", "empty-p50-ms", "<= 1.2")
	row("usage over 1M allocations vs COUNT(*)", "BenchmarkUsage1M", "1M-ms", "BenchmarkUsage1M", "count-ms", "< 1000 ms")
	row("topo show over 1M allocations vs COUNT(*)", "BenchmarkTopoShow1M", "1M-ms", "BenchmarkTopoShow1M", "count-ms", "< 1000 ms")
	row("import 10k subnets vs parse+validate", "BenchmarkImport10k/initial", "ns/op", "BenchmarkImport10k/reference-parse", "ns/op", "<= 3 s")
	row("re-import 10k, unchanged", "BenchmarkImport10k/reimport", "ns/op", "BenchmarkImport10k/reference-parse", "ns/op", "<= 3 s")
	row("re-import 10k, one line changed", "BenchmarkImport10k/one-line-change", "ns/op", "BenchmarkImport10k/reference-parse", "ns/op", "<= 3 s")
	if (json != "") {
		printf "[\n%s\n]\n", rows > json
		printf "\n(written to %s)\n", json
	}
	targets()
}
