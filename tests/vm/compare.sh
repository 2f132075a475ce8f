#!/usr/bin/env bash
# compare.sh VER - the kit's proof in one table: every case of the suite on
# Debian's stock kernel, on the patched kernel, and on the patched kernel
# with the negative-control switch on (same boot as the patched column).
# Rows where stock and patched differ come first, then rows that fail only
# with the switch on, then the rest; the series' kernel selftests are rows
# too (kselftest/...).  Runs `make run` and `make stock` (their own verdicts
# are kept in OUT/; RERUN=0 reuses the last ones); the table goes to stdout
# and to OUT/compare-VER.txt.  It stops when the patched run fails or a
# run left no fresh results (older than this compare: a stale out/).
# Exit 1 if a case passes on stock and fails patched, a case has no result
# on one side, or a harness row (a splat, a guest that died) failed.
set -u
. "$(dirname "$0")/../../scripts/lib.sh"
. "$PINKIT_ROOT/tests/harness/ktap.sh"
ver=$1
out=${OUT:-$PINKIT_ROOT/out}
cd "$PINKIT_ROOT"
mkdir -p "$out"

# The patched run first: it builds the series' kernel selftests, which the
# stock run then runs as well.
stamp=$out/compare-$ver.stamp
if [ "${RERUN:-1}" != 0 ]; then
	: > "$stamp"
	make -s run KVER="$ver" >"$out/compare-run.log" 2>&1 ||
		{ tail -n 20 "$out/compare-run.log" >&2; die "make run KVER=$ver failed (see $out/compare-run.log): the patched column would prove nothing"; }
	# stock fails cases by design; its harness rows say whether it decided
	make -s stock KVER="$ver" >"$out/compare-stock.log" 2>&1 || true
fi
# The runs' own KTAP (suite + kernel selftests + harness results); the
# knob column is the control pass's suite KTAP.
stock=$out/stock-$ver/ktap
patched=$out/run-$ver/ktap
knob=$out/run-$ver/results/control/ktap
for f in "$stock" "$patched" "$knob"; do
	[ -f "$f" ] || die "no results in $f: see $out/compare-stock.log and $out/compare-run.log"
done
# the verdicts are the host's, written at the end of each run (the knob's
# KTAP is in the patched run's directory, which run.sh made anew)
for f in "$stock" "$patched"; do
	[ "${RERUN:-1}" = 0 ] || [ "$f" -nt "$stamp" ] ||
		die "$f is older than this compare: its run did not finish (see $out/compare-stock.log and $out/compare-run.log)"
done

# Every row of either side; the control pass's results are the knob column
# (its control/... rows have no stock counterpart).
join -a1 -a2 -e- -o 0,1.2,2.2 <(ktap_results "$patched") <(ktap_results "$stock") |
	join -a1 -e- -o 0,1.2,1.3,2.2 - <(ktap_results "$knob") |
	awk -v ver="$ver" '
	$1 ~ /^harness\// && ($2 == "FAIL" || $3 == "FAIL") { harness++ }
	$1 !~ /^(control|harness)\// && ($2 == "-" || $3 == "-") { missing++ }
	{ row = sprintf("%-62s %-8s %-8s %-8s", $1, $3, $2, $4)
	  if ($2 != $3) { fixed += ($3 == "FAIL" && $2 == "pass")
			  broke += ($3 == "pass" && $2 == "FAIL"); a[++na] = row }
	  else if ($4 == "FAIL") b[++nb] = row
	  else c[++nc] = row }
	END {
		printf "%-62s %-8s %-8s %-8s\n", "case (linux-" ver ")", "stock", "patched", "+knob"
		for (i = 1; i <= na; i++) print a[i]
		for (i = 1; i <= nb; i++) print b[i]
		for (i = 1; i <= nc; i++) print c[i]
		printf "%d cases: %d differ between stock and patched (%d fixed: stock FAIL, patched pass);", na + nb + nc, na, fixed
		printf " %d more fail only with the knob on; %d pass on stock and fail patched\n", nb, broke
		if (missing) printf "%d cases have a result on one side only (-)\n", missing
		if (harness) printf "%d harness rows failed: a run did not decide every case\n", harness
		exit broke > 0 || missing > 0 || harness > 0
	}' | tee "$out/compare-$ver.txt"
rc=${PIPESTATUS[2]}	# join | join | awk | tee: the awk's verdict
# What fork() copied of partly pinned large folios, stock next to patched
# (figures, not verdicts: tests/bench/forkcopies.sh).
if grep -q '^# figure: fork-copies' "$stock" && grep -q '^# figure: fork-copies' "$patched"; then
	echo
	"$PINKIT_ROOT/tests/bench/forkcopies.sh" stock "$stock" patched "$patched" |
		tee -a "$out/compare-$ver.txt"
fi
exit "$rc"
