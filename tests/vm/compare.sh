#!/usr/bin/env bash
# compare.sh VER - the kit's proof in one table: every case of the suite on
# Debian's stock kernel, on the patched kernel, and on the patched kernel
# with the negative-control switch on (same boot as the patched column).
# Rows where stock and patched differ come first, then rows that fail only
# with the switch on, then the rest; the series' kernel selftests are rows
# too (kselftest/...).  Runs `make run` and `make stock` (their own verdicts
# are kept in OUT/; RERUN=0 reuses the last ones); the table goes to stdout
# and to OUT/compare-VER.txt.  It stops when the patched run fails or a
# run left no fresh results (older than this compare: a stale out/), and
# refuses (exit 2) when a column lacks cases the patched column has (a run
# that did not finish: the table would be decided on holes).  A case the
# kernel crashed in (tests/harness/crash.sh) reads CRASH, a failure on that
# kernel.  Exit 1 if a case passes on stock and fails patched, a case has
# no result on one side, or a harness row of the patched run (a splat, a
# guest that died) failed; the stock run's harness rows are in the table
# (a stock kernel may crash), its holes are refused above.
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

# column FILE - "NAME RESULT" per case as ktap_results gives them, RESULT
# CRASH for a case whose result says "# kernel crashed: ...".
column()
{
	ktap_results "$1" | awk -v crashed="$(grep -E '^not ok [0-9]+ [^ ]+ # kernel crashed:' "$1" |
		awk '{ print $4 }' | paste -sd' ')" '
		BEGIN { n = split(crashed, c, " "); for (i = 1; i <= n; i++) cr[c[i]] = 1 }
		{ if ($1 in cr) $2 = "CRASH"; print }'
}

# gaps LABEL LOG FILE REFERENCE... - refuse (exit 2) when FILE lacks cases
# the REFERENCE lines ("NAME RESULT") have: the column's run (its output in
# LOG) did not finish.
gaps()
{
	local label=$1 log=$2 f=$3 missing
	shift 3
	if [ $# = 0 ]; then
		echo "pinkit: error: the patched column ($patched) has no case: see $out/compare-run.log" >&2
		exit 2
	fi
	missing=$(printf '%s\n' "$@" | awk '{ print $1 }' | sort -u |
		join -v1 - <(column "$f" | awk '{ print $1 }' | sort -u))
	[ -z "$missing" ] && return 0
	printf 'pinkit: error: the %s column (%s) lacks %d of the %d cases of the patched column, e.g. %s: its run did not finish; see %s, then make compare again\n' \
		"$label" "$f" "$(printf '%s\n' "$missing" | wc -l)" "$#" \
		"$(printf '%s\n' "$missing" | head -n1)" "$log" >&2
	exit 2
}
# Every case of the patched column (its harness/ and control/ results are
# of that run, not cases) must have a stock result; every case of its main
# pass in the groups the control pass runs (CONTROL_GROUPS, scripts/lib.sh)
# a result with the knob on.  The other rows read "-" in the knob column.
mapfile -t ref < <(column "$patched" | grep -v -E '^(harness|control)/')
gaps stock "$out/compare-stock.log" "$stock" "${ref[@]}"
mapfile -t ref < <(column "$out/run-$ver/results/ktap" |
	awk -v groups=" ${CONTROL_GROUPS:-$CONTROL_GROUPS_DEFAULT} " \
		'{ g = $1; sub(/\/.*/, "", g) } index(groups, " " g " ")')
[ ${#ref[@]} = 0 ] || gaps knob "$out/compare-run.log" "$knob" "${ref[@]}"

# Every row of either side; the control pass's results are the knob column
# (its control/... rows have no stock counterpart).
join -a1 -a2 -e- -o 0,1.2,2.2 <(column "$patched") <(column "$stock") |
	join -a1 -e- -o 0,1.2,1.3,2.2 - <(column "$knob") |
	awk -v ver="$ver" '
	function bad(r) { return r == "FAIL" || r == "CRASH" }
	$1 ~ /^harness\// && bad($2) { harness++ }
	$1 !~ /^(control|harness)\// && ($2 == "-" || $3 == "-") { missing++ }
	{ row = sprintf("%-62s %-8s %-8s %-8s", $1, $3, $2, $4)
	  if ($2 != $3) { fixed += (bad($3) && $2 == "pass")
			  broke += ($3 == "pass" && bad($2)); a[++na] = row }
	  else if (bad($4)) b[++nb] = row
	  else c[++nc] = row }
	END {
		printf "%-62s %-8s %-8s %-8s\n", "case (linux-" ver ")", "stock", "patched", "+knob"
		for (i = 1; i <= na; i++) print a[i]
		for (i = 1; i <= nb; i++) print b[i]
		for (i = 1; i <= nc; i++) print c[i]
		printf "%d cases: %d differ between stock and patched (%d fixed: stock FAIL or CRASH, patched pass);", na + nb + nc, na, fixed
		printf " %d more fail only with the knob on; %d pass on stock and fail patched\n", nb, broke
		if (missing) printf "%d cases have a result on one side only (-)\n", missing
		if (harness) printf "%d harness rows of the patched run failed: it did not decide every case\n", harness
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
