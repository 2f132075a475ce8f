#!/usr/bin/env bash
# rdma-core-verdict.sh NAME [STOCK-KTAP [LABEL]] - the harness verdict
# (console scan, completeness, KTAP, JUnit, "N passed, N failed, N
# skipped") of the rdma-core run in $OUT/NAME (rdma-core.sh).  STOCK-KTAP:
# the same tests' results on the stock kernel; each failure gets the stock
# result beside it, as "# LABEL: FAIL (last line of its error)", "# LABEL:
# pass", "# LABEL: skip (reason)" or "# LABEL: no result".
set -eu
. "$(dirname "$0")/../../scripts/lib.sh"
. "$PINKIT_ROOT/tests/harness/ktap.sh"
name=$1 stock=${2:-} label=${3:-stock}
out=${OUT:-$PINKIT_ROOT/out}/$name
[ -d "$out" ] || die "no rdma-core run in $out (tests/guest/rdma-core.sh makes one)"
# The stock kernel's result beside every failure.
# The guest's own KTAP stays in results/ktap.guest; results/ktap is made
# from it, so a second verdict does not annotate twice.
res=$out/results
[ -f "$res/ktap" ] && [ ! -f "$res/ktap.guest" ] && cp "$res/ktap" "$res/ktap.guest"
[ -f "$res/ktap.guest" ] && cp "$res/ktap.guest" "$res/ktap"
if [ -n "$stock" ] && [ -f "$res/ktap.guest" ]; then
	ktap_records "$stock" | awk -F'\t' -v label="$label" '
		FNR == NR { st[$2] = $1; why[$2] = $3; next }
		/^not ok [0-9]+ / {
			split($0, wd, " "); n = wd[4]
			if (n in st) {
				w = why[n]
				if (st[n] == "fail") { k = split(w, ls, /\\n/); w = ls[k] }
				printf "# %s: %s%s\n", label, st[n] == "fail" ? "FAIL" : st[n],
					st[n] == "pass" ? "" : " (" w ")"
			} else
				printf "# %s: no result\n", label
		}
		{ print }' - "$res/ktap.guest" > "$res/ktap"
fi
CONTROL= VERDICT_MODE=rdma-core "$PINKIT_ROOT/tests/harness/verdict.sh" "$out" "$name"
