#!/usr/bin/env bash
# skips-from-run.sh OUTDIR - the skips of a finished run (OUTDIR/ktap, the
# verdict's KTAP, and the control pass's results) as entries of an
# expected-skip list (tests/harness/skips/): one "why:" line per reason,
# the reason itself, then a CASE<TAB>REASON line per case that gave it.
# Review it, give each why: its cause, fold names into globs where a
# whole group skips for the same reason, and save it as the kernel's list
# (the verdict names the file it looked for).
set -eu
. "$(dirname "$0")/../../scripts/lib.sh"
. "$(dirname "$0")/ktap.sh"
out=${1:?usage: skips-from-run.sh OUTDIR}
[ -f "$out/ktap" ] || die "no verdict KTAP in $out/ktap: give the directory of a finished run (out/run-7.3, ...)"
cat "$out/ktap" "$out/results/control/ktap" 2>/dev/null | ktap_records /dev/stdin |
	awk -F'\t' '$1 == "skip" && !seen[$2 "\t" $3]++ { print $3 "\t" $2 }' | sort |
	awk -F'\t' '$1 != last { printf "\nwhy: %s\n", $1; last = $1 } { print $2 "\t" $1 }'
