#!/usr/bin/env bash
# local.sh NAME - boot $OUT/lava-NAME/ (make lava) under QEMU/TCG the way
# LAVA's qemu boot and test shell drive it (tests/lava/local.py; no LAVA
# dispatcher), with a stand-in lava-test-case that prints LAVA's test case
# signal, and compare the cases and verdicts with the make run of the same
# kernel ($OUT/run-NAME/ktap) when there is one.  Last line "N passed, N
# failed, N skipped" over the guest's LAVA test cases.
set -eu
. "$(dirname "$0")/../../scripts/lib.sh"
. "$PINKIT_ROOT/tests/harness/ktap.sh"
. "$PINKIT_ROOT/tests/lava/compare.sh"
[ $# = 1 ] || die "usage: local.sh NAME"
out=${OUT:-$PINKIT_ROOT/out}
dir=$out/lava-$1 run=$out/run-$1
[ -f "$dir/job.yaml" ] || die "$dir/job.yaml is missing: make lava first (same KVER/DEBUG)"
"$PINKIT_ROOT/scripts/deps.sh" lava vm
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/root/usr/bin"
cat > "$work/root/usr/bin/lava-test-case" <<'TC'
#!/bin/sh
# stand-in for LAVA's lava-test-case NAME --result RESULT: its signal only
[ "$2" = --result ] || { echo "lava-test-case: usage: NAME --result RESULT" >&2; exit 1; }
echo "<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=$1 RESULT=$3>"
TC
chmod 755 "$work/root/usr/bin/lava-test-case"
(cd "$work/root" && find . | cpio -o -H newc --quiet | gzip -1) > "$work/extra.cpio.gz"
step_begin "booting $dir's job under QEMU/tcg as LAVA would (timeout ${TIMEOUT:-300} s for the steps)"
rc=0
/usr/bin/python3 -B "$PINKIT_ROOT/tests/lava/local.py" "$dir/job.yaml" "$work/extra.cpio.gz" \
	"$dir/local-console.log" "${TIMEOUT:-300}" > "$dir/local-cases" || rc=$?
step_end
rm -f "$dir/ramdisk-local.cpio.gz"
awk '{ print $1, ($2 == "fail" ? "FAIL" : $2) }' "$dir/local-cases" | sort -k1,1 > "$dir/local-results"
p=$(grep -c ' pass$' "$dir/local-results" || true)
f=$(grep -c ' FAIL$' "$dir/local-results" || true)
s=$(grep -c ' skip$' "$dir/local-results" || true)
grep ' FAIL$' "$dir/local-results" | sed 's/^/FAILED: /' || true
[ $rc = 0 ] || { echo "no verdict: the guest did not finish its steps (console: $dir/local-console.log)"; f=$((f + 1)); }
if [ -f "$run/ktap" ]; then
	lava_compare "$run" "$dir/local-results" "the LAVA job's guest" || f=$((f + 1))
else
	echo "# no make run of $1 to compare with ($run/ktap)"
fi
echo "$p passed, $f failed, $s skipped"
[ "$f" = 0 ]
