#!/usr/bin/env bash
# run.sh NAME BZIMAGE INITRD [GUEST-ARG...] - one guest run: boot, then
# decide (GUEST-ARGs: KEY=VALUE for the guest's /init, see init.sh).
# Results in $OUT/NAME (default out/NAME).  Exit 0 only when the guest
# reported a complete run with no failure and a clean console.
set -eu
. "$(dirname "$0")/../../scripts/lib.sh"
name=$1 kernel=$2 initrd=$3
shift 3
out=${OUT:-$PINKIT_ROOT/out}/$name
rm -rf "$out"
mkdir -p "$out"
# The kernel selftests of the series (kernel/scripts/selftests.sh), or
# KSELFTESTS=archive for another kernel: a second cpio after the first.
kst=${KSELFTESTS:-$kernel.selftests.gz}
if [ -f "$kst" ]; then
	cat "$initrd" "$kst" > "$out/initrd.gz"
	initrd=$out/initrd.gz
fi
# The build's record (kernel/scripts/build.sh) and the boot's start and
# length stay with the results: tests/kcidb/ reads them.
[ -f "$kernel.info" ] && cp "$kernel.info" "$out/build.info"
t0=$(date +%s.%N)
echo "start_time=$(date -u +%Y-%m-%dT%H:%M:%SZ)" > "$out/boot.info"
# CONTROL=switch: run the suite a second time with that kernel switch on.
"$(dirname "$0")/boot.sh" "$kernel" "$initrd" "$out" "$@" \
	${CONTROL:+pinkit.control=$CONTROL} || true
awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "duration=%.1f\n", b - a }' >> "$out/boot.info"
t=$(grep -o '^\[ *[0-9.]*\] ' "$out/console.txt" 2>/dev/null | tail -n1 | tr -d '[] ')
[ -n "$t" ] && note "guest clock at the last kernel message: $t s (boot to verdict)"
"$(dirname "$0")/verdict.sh" "$out" "$name"
