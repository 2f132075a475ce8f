#!/usr/bin/env bash
# run.sh NAME BZIMAGE INITRD [GUEST-ARG...] - one guest run: boot, then
# decide (GUEST-ARGs: KEY=VALUE for the guest's /init, see init.sh).
# Results in $OUT/NAME (default out/NAME).  Exit 0 only when the guest
# reported a complete run with no failure and a clean console.
set -eu
. "$(dirname "$0")/../../scripts/lib.sh"
name=$1 kernel=$2 initrd=$3
shift 3
[ -f "$kernel" ] || die "the kernel image $kernel does not exist: give KERNEL= a bzImage that does, or leave KERNEL unset to build one"
out=${OUT:-$PINKIT_ROOT/out}/$name
rm -rf "$out"
mkdir -p "$out"
# What the verdict must hold this run to, from the host's side: the mode
# (run or soak), the guest's arguments, the kernel selftests packed.
mode=run
for a in "$@"; do
	case $a in pinkit.mode=soak) mode=soak ;; esac
done
echo "$mode" > "$out/mode"
printf '%s\n' "$@" > "$out/guest-args"
# The kernel selftests of the series (kernel/scripts/selftests.sh writes
# BZIMAGE.selftests.gz, or BZIMAGE.selftests.none when the series has
# none), or KSELFTESTS=archive for another kernel, KSELFTESTS=none for no
# selftests: a second cpio after the first.  The guest runs them in a
# suite run only (not in a soak nor a harness self-test).
kst=${KSELFTESTS:-$kernel.selftests.gz}
if [ "$kst" = none ] || [ "$mode" != run ] || printf '%s\n' "$@" | grep -q '^pinkit.selftest=' ||
	{ [ -z "${KSELFTESTS:-}" ] && [ -f "$kernel.selftests.none" ]; }; then
	kst=
elif [ ! -f "$kst" ]; then
	die "no kernel selftest archive $kst: build the kernel with kernel/scripts/build.sh (it packs them beside the image), give KSELFTESTS=archive, or KSELFTESTS=none to run without them"
fi
if [ -n "$kst" ]; then
	cat "$initrd" "$kst" > "$out/initrd.gz"
	initrd=$out/initrd.gz
	gzip -dc "$kst" | cpio -it --quiet 2>/dev/null | sed -n 's|^\(\./\)\{0,1\}kselftests/\([^/]\{1,\}\)$|\2|p' \
		> "$out/kselftests"
	[ -s "$out/kselftests" ] || die "the kernel selftest archive $kst holds no kselftests/NAME"
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
