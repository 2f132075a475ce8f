#!/usr/bin/env bash
# run.sh NAME BZIMAGE INITRD [GUEST-ARG...] - one guest run: boot, then
# decide (GUEST-ARGs: KEY=VALUE for the guest's /init, see init.sh).
# Results in $OUT/NAME (default out/NAME).  Exit 0 only when the guest
# reported a complete run with no failure and a clean console.
#
# A kernel crash does not end the run: each boot goes to NAME/boot-I, its
# results are kept even when the guest never wrote its results disk, the
# crashed case is charged with the crash (crash.sh), and when the crash hit
# the main pass the guest boots again and runs the cases after it
# (pinkit.skip), at most CRASHES times (default 5); a kernel that crashed
# while booting, before any pass, boots again the same way (counted
# likewise).  merge.sh then makes
# NAME/results, NAME/console.txt and NAME/crashes of the boots.
# PINKIT_TEST_BOOT=script replaces boot.sh, for the harness self-tests only.
set -eu
. "$(dirname "$0")/../../scripts/lib.sh"
. "$(dirname "$0")/ktap.sh"
name=$1 kernel=$2 initrd=$3
shift 3
[ -f "$kernel" ] || die "the kernel image $kernel does not exist: give KERNEL= a bzImage that does, or leave KERNEL unset to build one"
out=${OUT:-$PINKIT_ROOT/out}/$name
max=${CRASHES:-5}
case $max in '' | *[!0-9]*) die "CRASHES=$max: expected the number of kernel crashes to resume after (0 never resumes)" ;; esac
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
i=1 skip='' done_n=0
while :; do
	b=$out/boot-$i
	# CONTROL=switch: run the suite a second time with that kernel switch on
	# (for a run without a filter, only the groups the verdict judges).
	"${PINKIT_TEST_BOOT:-$(dirname "$0")/boot.sh}" "$kernel" "$initrd" "$b" "$@" \
		${CONTROL:+pinkit.control=$CONTROL} \
		${CONTROL:+"pinkit.control_groups=${CONTROL_GROUPS:-$CONTROL_GROUPS_DEFAULT}"} \
		${skip:+"pinkit.skip=$skip"} || true
	"$(dirname "$0")/crash.sh" "$b"
	if [ "$(cat "$b/main")" = boot ]; then
		# crashed while booting: the same boot again, no case to skip
		if [ "$i" -gt "$max" ]; then
			note "the kernel crashed $i times; not booting again (CRASHES=$max)"
			break
		fi
		note "the kernel crashed while booting; booting again: boot $((i + 1))"
		i=$((i + 1))
		continue
	fi
	[ "$(cat "$b/main")" = crashed ] || break
	# the plan of the first boot that got to the main pass
	plan=$(ktap_plan "$(boots_first_ktap "$out" "$i")")
	done_n=$((done_n + $(wc -l < "$b/main-done")))
	if [ "$done_n" -ge "$plan" ]; then
		break
	elif [ "$i" -gt "$max" ]; then
		note "the kernel crashed $i times; not resuming again (CRASHES=$max): $((plan - done_n)) cases of the main pass did not run"
		break
	fi
	skip=$(cat "$out"/boot-*/main-done | sed 's/^/!/' | paste -sd'|')
	note "resuming the main pass after the crashed case: boot $((i + 1)), $((plan - done_n)) of $plan cases left"
	i=$((i + 1))
done
awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "duration=%.1f\n", b - a }' >> "$out/boot.info"
"$(dirname "$0")/merge.sh" "$out" "$i"
t=$(grep -o '^\[ *[0-9.]*\] ' "$out/console.txt" 2>/dev/null | tail -n1 | tr -d '[] ')
[ -n "$t" ] && note "guest clock at the last kernel message: $t s (boot to verdict)"
"$(dirname "$0")/verdict.sh" "$out" "$name"
