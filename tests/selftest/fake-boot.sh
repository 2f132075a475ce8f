#!/usr/bin/env bash
# fake-boot.sh BZIMAGE INITRD OUTDIR [GUEST-ARG...] - a boot.sh for the
# harness self-tests (run.sh's PINKIT_TEST_BOOT), no QEMU: the main pass of
# pinkit.run's --filter, without the cases of pinkit.skip, streamed to
# OUTDIR/console.txt as init.sh does; every case passes, except that the
# kernel "oopses" in each case of FAKE_CRASH (names separated by blanks):
# that boot ends there, with no results disk, as a panicked guest's does;
# and boots whose number is in FAKE_BOOT_CRASH (blanks between) oops before
# the suite starts.
set -eu
. "$(dirname "$0")/../../scripts/lib.sh"
out=$3
shift 3
mkdir -p "$out"
rm -rf "$out/results" "$out/error"
printf '%s\n' "$@" > "$out/args"
arg() { sed -n "s/^$1=//p" "$out/args" | tail -n1; }
run=$(arg pinkit.run) skip=$(arg pinkit.skip)
f=${run#--filter }
[ "$f" != "$run" ] || die "fake-boot.sh: pinkit.run must be '--filter GLOBS'"
boot=${out##*/boot-}
if [[ " ${FAKE_BOOT_CRASH:-} " == *" $boot "* ]]; then
	{
		echo '[    0.000000] Linux version 7.3.4'
		echo '[    0.927921] Oops: int3: 0000 [#1] SMP NOPTI'
		echo '[    0.927935] Kernel panic - not syncing: Fatal exception in interrupt'
	} > "$out/console.txt"
	echo "no verdict: the guest stopped without reporting a result" > "$out/error"
	exit 0
fi
mapfile -t cases < <("$PINKIT_ROOT/userspace/build/pinkit" list --filter "$f${skip:+|$skip}")
{
	echo '[    0.000000] Linux version 7.3.4'
	echo 'PINKIT-SUITE-START'
	echo 'KTAP version 1'
	echo "1..${#cases[@]}"
	i=0
	for c in "${cases[@]}"; do
		i=$((i + 1))
		if [[ " ${FAKE_CRASH:-} " == *" $c "* ]]; then
			echo "[   $i.000000] BUG: kernel NULL pointer dereference, address: 0000000000000008 in $c"
			echo "[   $i.000001] Kernel panic - not syncing: Fatal exception"
			echo "no verdict: the guest stopped without reporting a result" > "$out/error"
			exit 0
		fi
		echo "ok $i $c"
	done
	echo "$i passed, 0 failed, 0 skipped"
	echo 'PINKIT-SUITE-END rc=0'
	echo 'PINKIT-RESULT rc=0'
} > "$out/console.txt"
mkdir -p "$out/results"
grep -v -E '^\[|^PINKIT' "$out/console.txt" > "$out/results/ktap"
echo 0 > "$out/results/rc"
echo "a self-test" > "$out/results/plugin-skipped"
# what init.sh writes beside it: every case of the run (pinkit.skip's too)
"$PINKIT_ROOT/userspace/build/pinkit" list --filter "$f" > "$out/results/expected"
echo 7.3.4 > "$out/results/kernel"
