#!/usr/bin/env bash
# repeat.sh NAME BZIMAGE INITRD N [GUEST-ARG...] - run the suite N times in
# one boot (pinkit.repeat=N), then compare the N passes case by case
# (repeat-compare.sh): every case whose verdict (pass, FAIL, skip) changed
# between passes is listed with its verdict in each pass.  The first pass
# is decided as run.sh decides a run; a harness error there (a kernel
# splat, a guest that did not finish) fails the repeat too.
# Last line "N passed, N failed, N skipped".
set -eu
. "$(dirname "$0")/../../scripts/lib.sh"
name=$1 kernel=$2 initrd=$3 reps=$4
shift 4
case $reps in
'' | *[!0-9]* | 0 | 1) die "N=$reps: expected a number of passes >= 2" ;;
esac
out=${OUT:-$PINKIT_ROOT/out}/$name
CONTROL='' "$(dirname "$0")/run.sh" "$name" "$kernel" "$initrd" "$@" \
	"pinkit.repeat=$reps" > "$out.first" 2>&1 || true
rc=0
HARNESS_KTAP=$out/ktap "$(dirname "$0")/repeat-compare.sh" "$out/results" "$reps" || rc=$?
echo "# first pass's verdict: $out.first; console: $out/console.txt"
exit $rc
