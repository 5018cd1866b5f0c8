# Prints each benchmark's median next to its reference from the same run.
# Input: `go test -bench` output. Pairs: (name, reference, unit, better).
function median(key,   n, i, j, t, a) {
	n = split(vals[key], a, " ")
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
/^Benchmark/ {
	name = $1; sub(/-[0-9]+$/, "", name)
	for (i = 3; i < NF; i++) vals[name "|" $(i + 1)] = vals[name "|" $(i + 1)] " " $i
}
function pair(name, ref, unit,   m, r) {
	if (!((name "|" unit) in vals) || !((ref "|" unit) in vals)) return
	m = median(name "|" unit); r = median(ref "|" unit)
	printf "%-44s %12.2f %-9s reference %-36s %12.2f   ratio %.3f\n", name, m, unit, ref, r, m / r
}
# same prints a benchmark's figure next to the reference it measured on
# the same line (in the same run).
function same(name, unit, refunit,   m, r) {
	if (!((name "|" unit) in vals) || !((name "|" refunit) in vals)) return
	m = median(name "|" unit); r = median(name "|" refunit)
	printf "%-44s %12.2f %-9s reference %-36s %12.2f   ratio %.3f\n", name, m, unit, refunit, r, m / r
}
END {
	print "\n== medians and ratios to the reference measured in the same run"
	pair("BenchmarkNext/fill=0", "BenchmarkReferenceMapSet", "ns/op")
	pair("BenchmarkNext/fill=50", "BenchmarkReferenceMapSet", "ns/op")
	pair("BenchmarkNext/fill=99", "BenchmarkReferenceMapSet", "ns/op")
	pair("BenchmarkNextOnly/fill=0", "BenchmarkReferenceMapSet", "ns/op")
	pair("BenchmarkNextOnly/fill=50", "BenchmarkReferenceMapSet", "ns/op")
	pair("BenchmarkNextOnly/fill=99", "BenchmarkReferenceMapSet", "ns/op")
	pair("BenchmarkNextIPv6_64", "BenchmarkReferenceMapSet", "ns/op")
	pair("BenchmarkDurableAlloc/netipam-alloc", "BenchmarkDurableAlloc/plain-insert", "allocs/s")
	pair("BenchmarkImport10k/initial", "BenchmarkImport10k/reference-parse", "ns/op")
	pair("BenchmarkImport10k/reimport", "BenchmarkImport10k/reference-parse", "ns/op")
	pair("BenchmarkImport10k/one-line-change", "BenchmarkImport10k/reference-parse", "ns/op")
	same("BenchmarkGroupCommitSQLite", "allocs/s", "raw-rows/s")
	same("BenchmarkGroupCommitRqlite", "allocs/s", "raw-writes/s")
	same("BenchmarkLoadAll1M", "load-ms", "read-ms")
	same("BenchmarkLoadAll1M", "peak-MB", "read-peak-MB")
	# Benchmarks that measure their reference themselves report "...ratio".
	for (k in vals) if (k ~ /ratio$/) { split(k, p, "|"); printf "%-44s %12.3f %s (median)\n", p[1], median(k), p[2] }
}
