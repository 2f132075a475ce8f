#!/usr/bin/env bash
# compare.sh VER - the kit's proof in one table: every case of the suite on
# Debian's stock kernel, on the patched kernel, and on the patched kernel
# with the negative-control switch on (same boot as the patched column).
# Rows where the columns differ come first.  Runs `make stock` and
# `make run` (their own verdicts are kept in OUT/); the table goes to
# stdout and to OUT/compare-VER.txt.
set -u
. "$(dirname "$0")/../../scripts/lib.sh"
ver=$1
out=${OUT:-$PINKIT_ROOT/out}
cd "$PINKIT_ROOT"

make -s stock KVER="$ver" >"$out/compare-stock.log" 2>&1
make -s run KVER="$ver" >"$out/compare-run.log" 2>&1
stock=$out/stock-$ver/results/ktap
patched=$out/run-$ver/results/ktap
knob=$out/run-$ver/results/control/ktap
for f in "$stock" "$patched" "$knob"; do
	[ -f "$f" ] || die "no results in $f: see $out/compare-stock.log and $out/compare-run.log"
done

# results FILE - "case result" per line: pass, FAIL or skip.
results()
{
	awk '/^ok [0-9]+ / { print $3, ($0 ~ /# SKIP/ ? "skip" : "pass") }
	     /^not ok [0-9]+ / { print $4, "FAIL" }' "$1" | sort -k1,1
}

join -a1 -e- -o 0,1.2,2.2 <(results "$patched") <(results "$stock") |
	join -a1 -e- -o 0,1.2,1.3,2.2 - <(results "$knob") |
	awk -v ver="$ver" '
	{ row = sprintf("%-62s %-8s %-8s %-8s", $1, $3, $2, $4)
	  if ($2 != $3 || $4 == "FAIL") diff[++nd] = row; else same[++ns] = row }
	END {
		printf "%-62s %-8s %-8s %-8s\n", "case (linux-" ver ")", "stock", "patched", "+knob"
		for (i = 1; i <= nd; i++) print diff[i]
		for (i = 1; i <= ns; i++) print same[i]
		printf "%d cases; %d differ between the columns\n", nd + ns, nd
	}' | tee "$out/compare-$ver.txt"
