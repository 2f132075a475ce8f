#!/usr/bin/env bash
# forkcopies.sh KTAP [LABEL KTAP]... - the fork-copies figures of one or
# more suite runs as a table (a benchmark, not a test): for every
# fork-copies/<backing>/<kind>/<pins> case, the pages fork() copied of the
# folio, the PMD splits, the parent's AnonHugePages before -> after, and
# the fork() latency with the pins / without them in the same run and
# their ratio.  With one KTAP it prints all of these; with LABEL KTAP
# pairs (e.g. stock and patched, for `make compare`) one column group per
# run: copied, split, AnonHugePages after, and the ratio.  A case that
# failed or was skipped shows its verdict instead of figures.
# The figures come from the "# figure: fork-copies ..." lines the cases
# print (userspace/lib/fork_copies.c).
set -eu
. "$(dirname "$0")/../../scripts/lib.sh"

[ $# -ge 1 ] || die "usage: forkcopies.sh KTAP | forkcopies.sh LABEL KTAP [LABEL KTAP]..."
labels=() files=()
if [ $# = 1 ]; then
	labels=(run) files=("$1")
else
	[ $(($# % 2)) = 0 ] || die "forkcopies.sh: give LABEL KTAP pairs, got $# arguments"
	while [ $# -gt 0 ]; do
		labels+=("$1") files+=("$2")
		shift 2
	done
fi
for f in "${files[@]}"; do
	[ -f "$f" ] || die "no KTAP at $f: run the suite first (make run / make stock)"
done

# One record per case and run: label, case, copied, split, ahp, pinned ms,
# unpinned ms; or label, case, verdict.
for i in "${!files[@]}"; do
	awk -v l="${labels[$i]}" '
	/^# figure: fork-copies / {
		fig = $0; next
	}
	/^(not )?ok [0-9]+ fork-copies\// {
		name = ($1 == "not") ? $4 : $3
		if ($1 == "not") { print l "\t" name "\tFAIL"; fig = ""; next }
		if ($0 ~ /# SKIP/) { print l "\t" name "\tskip"; fig = ""; next }
		if (fig == "") { print l "\t" name "\tno-figure"; next }
		n = split(fig, w, " ")
		for (j = 1; j <= n; j++) {
			split(w[j], kv, "=")
			v[kv[1]] = kv[2]
		}
		split(v["fork_ms"], ms, "/")
		print l "\t" name "\t" v["copied"] "\t" v["split_pmd"] "\t" v["ahp_kb"] "\t" ms[1] "\t" ms[2]
		fig = ""; next
	}
	/^(not )?ok / { fig = "" }' "${files[$i]}"
done | awk -F'\t' -v nruns=${#files[@]} -v labels="${labels[*]}" '
	function ratio(p, u) { return (u + 0 > 0) ? sprintf("x%.2f", p / u) : "-" }
	{
		if (!($2 in seen)) { seen[$2] = 1; order[++n] = $2 }
		nf[$1, $2] = NF
		for (j = 3; j <= NF; j++) f[$1, $2, j] = $j
	}
	END {
		nl = split(labels, lab, " ")
		if (nruns == 1) {
			printf "%-58s %9s %5s %13s %17s %7s\n", "fork-copies case", "copied", "split", "AnonHuge kB", "fork ms pin/unpin", "ratio"
			for (i = 1; i <= n; i++) {
				c = order[i]; k = lab[1]
				if (nf[k, c] < 7) { printf "%-58s %s\n", c, f[k, c, 3]; continue }
				printf "%-58s %9s %5s %13s %17s %7s\n", c, f[k, c, 3], f[k, c, 4], f[k, c, 5],
					f[k, c, 6] "/" f[k, c, 7], ratio(f[k, c, 6], f[k, c, 7])
			}
			print "copied: pages with another PFN in the child after the first fork with the pins; split: thp_split_pmd during it; fork ms: fastest of 5 forks with the pins / of 5 of an unpinned twin, same process"
			exit
		}
		printf "%-58s", "fork-copies case"
		for (r = 1; r <= nl; r++) printf " | %-31s", lab[r] " copied split AHP-after ratio"
		printf "\n"
		for (i = 1; i <= n; i++) {
			c = order[i]
			printf "%-58s", c
			for (r = 1; r <= nl; r++) {
				k = lab[r]
				if (!((k, c) in nf)) { printf " | %-31s", "-"; continue }
				if (nf[k, c] < 7) { printf " | %-31s", f[k, c, 3]; continue }
				a = f[k, c, 5]; sub(/.*->/, "", a)
				printf " | %9s %5s %6s %8s", f[k, c, 3], f[k, c, 4], a, ratio(f[k, c, 6], f[k, c, 7])
			}
			printf "\n"
		}
		print "copied: pages with another PFN in the child; split: thp_split_pmd; AHP-after: the parent'"'"'s AnonHugePages kB after fork; ratio: fork() with the pins / without, same run"
	}'
