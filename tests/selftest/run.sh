#!/usr/bin/env bash
# Harness self-tests: every kind of bad input must end in its own clear
# error and a non-zero exit.  Each case runs a command and asserts both the
# exit status and the message.  The guest cases need the kernel that
# `kernel/scripts/build.sh` builds and the initramfs `make initramfs` packs.
set -u
. "$(dirname "$0")/../../scripts/lib.sh"
cd "$PINKIT_ROOT"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0 pass=0 fail=0

. "$PINKIT_ROOT/tests/lib/expect.sh"

# patch_series DIR FROM TO [FILE] - a one-patch series turning line FROM of
# FILE (default mm/gup.c) into TO.
patch_series()
{
	local f=${4:-mm/gup.c}
	mkdir -p "$1"
	printf -- '--- a/%s\n+++ b/%s\n@@ -1 +1 @@\n-%s\n+%s\n' "$f" "$f" "$2" "$3" \
		> "$1/0001-mm-gup-nothing.patch"
	echo 0001-mm-gup-nothing.patch > "$1/series"
}

# series_switch - applying series B after series A must start from the
# pristine source: B's patch only applies to the pristine file, and a file
# only A touched must come back pristine.
series_switch()
{
	local t
	patch_series "$work/a" 'int a;' 'int b;'
	printf -- '--- a/mm/rmap.c\n+++ b/mm/rmap.c\n@@ -1 +1 @@\n-int r;\n+int s;\n' \
		>> "$work/a/0001-mm-gup-nothing.patch"
	patch_series "$work/b" 'int a;' 'int c;'
	t=$(KSRC="$fake" PATCHDIRS="$work/a" PINKIT_CACHE="$work/cache" kernel/scripts/tree.sh) &&
		grep -qx 'int s;' "$t/mm/rmap.c" &&
		t=$(KSRC="$fake" PATCHDIRS="$work/b" PINKIT_CACHE="$work/cache" kernel/scripts/tree.sh) &&
		grep -qx 'int c;' "$t/mm/gup.c" && grep -qx 'int r;' "$t/mm/rmap.c" &&
		[ "$t/mm/rmap.c" -nt "$fake/mm/rmap.c" ] && echo "tree switched cleanly"
}

# ksrc_edit - a file edited in KSRC after it was copied reaches the tree.
ksrc_edit()
{
	local t
	patch_series "$work/c" 'int a;' 'int d;'
	t=$(KSRC="$fake" PATCHDIRS="$work/c" PINKIT_CACHE="$work/cache" kernel/scripts/tree.sh) &&
		sleep 1 && echo 'int q;' > "$fake/mm/new.c" &&
		t=$(KSRC="$fake" PATCHDIRS="$work/c" PINKIT_CACHE="$work/cache" \
			kernel/scripts/tree.sh 2>"$work/edit.err") &&
		grep -q 'changed since it was copied' "$work/edit.err" &&
		grep -qx 'int q;' "$t/mm/new.c" && grep -qx 'int d;' "$t/mm/gup.c" &&
		echo "edit reached the tree"
}

# mkrun DIR NAME... - a crafted run that passes: results/ktap with one ok
# result per NAME and the runner's closing line, exit status 0, the guest's
# list of expected cases, no plugin pass, a clean console.
mkrun()
{
	local d=$1 i=0 c
	shift
	mkdir -p "$d/results"
	{
		printf 'KTAP version 1\n1..%d\n' $#
		for c; do i=$((i + 1)); echo "ok $i $c"; done
		echo "$# passed, 0 failed, 0 skipped"
	} > "$d/results/ktap"
	printf '%s\n' "$@" > "$d/results/expected"
	echo 0 > "$d/results/rc"
	echo "a self-test" > "$d/results/plugin-skipped"
	echo 7.3.4 > "$d/results/kernel"
	: > "$d/console.txt"
}

# fails_without RE CMD... - "clean" when CMD fails and its output does not
# match RE (the output is printed first either way).
fails_without()
{
	local re=$1 out rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	printf '%s\n' "$out"
	[ $rc != 0 ] && ! grep -Eq "$re" <<< "$out" && echo clean
}

# refused GOAL VAR=VALUE... - make GOAL with these variables, OUT and
# PINKIT_CACHE in scratch directories; prints the output and, when make
# refused at once (exit 2 within 10 s, neither directory made, nothing on
# the output but the errors: no package check, build, lock or boot),
# "refused before any work:" and the error lines on one line.
refused()
{
	local o=$work/refused-out c=$work/refused-cache rc=0 t0=$SECONDS out
	rm -rf "$o" "$c"
	out=$(env -u MAKEFLAGS -u MAKEOVERRIDES -u MFLAGS -u MAKELEVEL \
		OUT="$o" PINKIT_CACHE="$c" make -s "$@" 2>&1) || rc=$?
	printf '%s\n' "$out"
	[ $rc = 2 ] && [ ! -e "$o" ] && [ ! -e "$c" ] && [ $((SECONDS - t0)) -lt 10 ] &&
		! grep -Ev '^pinkit: error: |^Makefile:[0-9]+: \*\*\* bad input \(above\): nothing was done' <<< "$out" &&
		echo "refused before any work: $(grep '^pinkit: error: ' <<< "$out" | paste -sd ' ')"
	return 1
}

# one_line CMD... - CMD's exit status and its output, which must be one
# line (an error names the problem and points at --help, no usage).
one_line()
{
	local out rc=0
	out=$("$@" 2>&1) || rc=$?
	echo "exit $rc, $(printf '%s\n' "$out" | wc -l) line: $(printf '%s' "$out" | paste -sd ' ')"
	return $rc
}

# A kernel tree that is one only on the surface, and a bad patch for it.
fake=$work/linux
mkdir -p "$fake/arch/x86" "$fake/scripts/kconfig" "$fake/mm"
printf 'VERSION = 6\nPATCHLEVEL = 12\n' > "$fake/Makefile"
touch "$fake/Kconfig"
printf '#!/bin/sh\n' > "$fake/scripts/kconfig/merge_config.sh"
chmod +x "$fake/scripts/kconfig/merge_config.sh"
printf 'int a;\n' > "$fake/mm/gup.c"
printf 'int r;\n' > "$fake/mm/rmap.c"
touch -d '2020-01-01' "$fake/mm/rmap.c"
patch_series "$work/series" 'int b;' 'int c;'
mkdir -p "$work/notree"

# The cases of the crash self-tests, in the suite's order.
crash_filter='smoke/*,none/anon-4k/pinned-rw/*'
: > "$work/fake-bzImage"	# run.sh wants an image file; fake-boot.sh never reads it
mapfile -t crash_cases < <(userspace/build/pinkit list --filter "$crash_filter")
[ ${#crash_cases[@]} = 7 ] || die "--filter '$crash_filter' should select 7 cases: ${crash_cases[*]}"

# crashed_boot DIR K oops|hang|warn|resumed - a crafted boot (no QEMU) of
# the 7 crash cases, as boot.sh leaves it.  oops: K results, then an oops
# and a panic, no results disk; hang: K results, then nothing (timed out);
# warn: a WARNING before result 2, all K results and the results disk;
# resumed: the second boot after an oops in case 4, cases 5-7.
crashed_boot()
{
	local d=$1 k=$2 how=$3 i skip='' first=0
	mkdir -p "$d"
	printf '%s\n' "pinkit.run=--filter $crash_filter" > "$d/args"
	if [ "$how" = resumed ]; then
		first=4
		for i in 0 1 2 3; do skip=$skip${skip:+|}!${crash_cases[$i]}; done
		echo "pinkit.skip=$skip" >> "$d/args"
	fi
	{
		echo '[    0.000000] Linux version 7.3.4'
		echo 'PINKIT-BOOTED 7.3.4'
		echo 'PINKIT-SUITE-START'
		echo 'KTAP version 1'
		echo "1..$((7 - first))"
		for ((i = 0; i < k; i++)); do
			if [ "$how" = warn ] && [ $i = 1 ]; then
				echo '[    9.000000] WARNING: CPU: 0 PID: 1 at mm/gup.c:1 f+0x1/0x2'
				echo '[    9.000001] Call Trace:'
			fi
			echo "ok $((i + 1)) ${crash_cases[$((first + i))]}"
		done
		case $how in
		oops)	echo '[   12.000000] BUG: unable to handle page fault for address: ffff8f2942671400'
			echo '[   12.000001] RIP: 0010:rxe_odp_map_range_and_lock+0x2a/0x1c0 [rdma_rxe]'
			echo '[   12.000002] Kernel panic - not syncing: Fatal exception' ;;
		warn | resumed)
			echo "$k passed, 0 failed, 0 skipped"
			echo "PINKIT-SUITE-END rc=0"
			echo "PINKIT-RESULT rc=0" ;;
		esac
	} > "$d/console.txt"
	case $how in
	oops)	echo "no verdict: the guest stopped without reporting a result" > "$d/error" ;;
	hang)	echo "guest timed out after 300 s (console: $d/console.txt)" > "$d/error" ;;
	*)	mkdir -p "$d/results"
		grep -v -E '^\[|^PINKIT' "$d/console.txt" > "$d/results/ktap"
		echo 0 > "$d/results/rc"
		echo "a self-test" > "$d/results/plugin-skipped"
		# what init.sh writes beside it: every case of the run
		printf '%s\n' "${crash_cases[@]}" > "$d/results/expected"
		echo 7.3.4 > "$d/results/kernel" ;;
	esac
}

# crafted_run OUT N [REGEX...] - what run.sh does after the boots OUT/boot-1
# .. N (crash.sh each, merge.sh, verdict.sh); fails unless the output
# matches every REGEX, and exits as the verdict does.
crafted_run()
{
	local o=$1 n=$2 i rc re
	shift 2
	for i in $(seq 1 "$n"); do
		tests/harness/crash.sh "$o/boot-$i" || return 99
	done
	tests/harness/merge.sh "$o" "$n" || return 99
	CONTROL='' tests/harness/verdict.sh "$o" crafted > "$o/verdict.out" 2>&1
	rc=$?
	cat "$o/verdict.out"
	for re in "$@"; do
		grep -Eq -- "$re" "$o/verdict.out" || { echo "MISSING: /$re/"; return 0; }
	done
	return $rc
}

# fake_loop NAME CRASHES PASSED CRASHING-CASES - run.sh (CRASHES) on fake
# boots (fake-boot.sh) of the 7 crash cases; prints the run and, when each
# crashing case is charged, the boots number crashes + 1 and PASSED cases
# passed, a token.
fake_loop()
{
	local o=$work/$1 c n=0 bad=0
	OUT="$work" PINKIT_TEST_BOOT=tests/selftest/fake-boot.sh CONTROL='' CRASHES="$2" FAKE_CRASH="$4" \
		KSELFTESTS=none tests/harness/run.sh "$1" "$work/fake-bzImage" /dev/null "pinkit.run=--filter $crash_filter" > "$o.out" 2>&1
	cat "$o.out"
	for c in $4; do
		n=$((n + 1))
		grep -q "^not ok [0-9]* $c # kernel crashed: BUG: kernel NULL pointer" "$o.out" || bad=1
	done
	[ $bad = 0 ] && [ -d "$o/boot-$((n + 1))" ] && [ ! -d "$o/boot-$((n + 2))" ] &&
		grep -q "^$3 passed, " "$o.out" && echo "charged $n, $((n + 1)) boots, $3 passed"
	return 1
}

# fake_boot_crash NAME CRASHES - run.sh on fake boots: boot 1 crashes in the
# third crash case, boot 2 crashes while booting (FAKE_BOOT_CRASH); prints
# the run and a token for what must hold: with room for crashes, a third
# boot finishes the pass; without, boot 1's results are still the run's.
fake_boot_crash()
{
	local o=$work/$1
	OUT="$work" PINKIT_TEST_BOOT=tests/selftest/fake-boot.sh CONTROL='' CRASHES="$2" \
		FAKE_CRASH="${crash_cases[2]}" FAKE_BOOT_CRASH=2 KSELFTESTS=none \
		tests/harness/run.sh "$1" "$work/fake-bzImage" /dev/null "pinkit.run=--filter $crash_filter" > "$o.out" 2>&1
	cat "$o.out"
	grep -q "^ok 2 ${crash_cases[1]}\$" "$o.out" &&
		grep -q "^not ok 3 ${crash_cases[2]} # kernel crashed: BUG: kernel NULL pointer" "$o.out" &&
		grep -q "^boot 2	BOOT	?	Oops: int3" "$o/crashes" || return 1
	if [ -d "$o/boot-3" ]; then
		# 2 failed: the charged case and harness/kernel-splat
		grep -q "^ok 7 ${crash_cases[6]}\$" "$o.out" && grep -q '^6 passed, 2 failed, ' "$o.out" &&
			echo "boot crash retried: 3 boots, 6 passed, 1 charged"
	else
		grep -q 'not booting again (CRASHES=1)' "$o.out" && echo "boot 1's results kept after a boot crash"
	fi
	return 1
}

# guest_crash_resumes - the real-boot crash test (see its expect line).
guest_crash_resumes()
{
	local o=$work/kcrash
	env OUT="$work" CONTROL= tests/harness/run.sh kcrash "$kernel" "$initrd" \
		"pinkit.run=--filter $crash_filter" pinkit.selftest=kernel-crash-after=3 > "$o.out" 2>&1
	cat "$o.out"
	grep -q "^ok 3 ${crash_cases[2]}\$" "$o.out" &&
		grep -q "^not ok 4 ${crash_cases[3]} # kernel crashed: Kernel panic - not syncing: sysrq triggered crash" "$o.out" &&
		grep -q "^ok 7 ${crash_cases[6]}\$" "$o.out" &&
		grep -q '^# kernel crashes: 1 ' "$o.out" &&
		[ -f "$o/boot-2/results/ktap" ] && [ ! -d "$o/boot-3" ] &&
		echo "results kept, crash charged, resumed"
	return 1
}

# KERNEL=bzImage boots that kernel instead of building one.
kernel=${KERNEL:-$(kernel/scripts/build.sh 2>"$work/build.log")} ||
	{ cat "$work/build.log" >&2; die "self-tests need the kernel build to work"; }
initrd=${OUT:-$PINKIT_ROOT/out}/initramfs-pinkit.gz
# These runs test the harness, not the kernel: leave out the series' kernel
# selftests that run.sh would otherwise append beside the image.
export KSELFTESTS=none
[ -f "$initrd" ] || die "$initrd is missing: run make initramfs"

echo "KTAP version 1"
# The plan: one result per expect line of this file and verdict-cases.sh.
echo "1..$(cat "$0" "$(dirname "$0")/verdict-cases.sh" | grep -c '^expect ')"
# The user's CFLAGS add to the flags the code needs, never replace them.
expect ok userspace-builds-with-user-cflags 'libpinkit.a' \
	bash -c "make -s -C userspace BUILD='$work/o0' CFLAGS=-O0 && ls '$work/o0'"
# The product runner is a plain loop: CUnit belongs to the unit tests only.
expect ok product-links-no-cunit 'libibverbs' \
	bash -c "ldd userspace/build/pinkit | grep -v -i cunit || exit 1; ! ldd userspace/build/pinkit | grep -qi cunit"
# The vendor's path (tests/selftest/plugin-build.sh): make install, the
# example kind plugin built out of tree against the installed header through
# pkg-config, loaded by the installed pinkit, reaching every family its flags
# allow (rows, fork-copies, soak); a version 1 plugin refused.
expect ok plugin-builds-out-of-tree '^plugin-build: 7 checks passed$' \
	tests/selftest/plugin-build.sh "$work/plugin-build"
# The front door (scripts/check-inputs.sh): every bad make variable is
# refused before any work, named with the values that would do.
expect fail kver-unknown '^refused before any work: .*KVER=5.4 is not supported.*KSRC=' \
	refused run KVER=5.4
expect fail patches-unknown "^refused before any work: .*PATCHES=bogus is not a value .*PATCHES=none.*PATCHDIRS=" \
	refused run PATCHES=bogus
expect fail patches-none-with-patchdirs '^refused before any work: .*PATCHES=none and PATCHDIRS=.* give one' \
	refused run PATCHES=none PATCHDIRS=kernel/patches/7.3
expect fail soak-seconds-not-a-number "^refused before any work: .*SECONDS=abc: expected the soak's length .*1\.\.86400" \
	refused soak SECONDS=abc
expect fail soak-seconds-negative '^refused before any work: .*SECONDS=-5: expected .*1\.\.86400' \
	refused soak SECONDS=-5
expect fail soak-args-move-seconds '^refused before any work: .*ARGS=.*drop --iterations and give SECONDS=N' \
	refused soak ARGS='--seed 1 --iterations 5'
expect fail repeat-n-not-a-number '^refused before any work: .*N=abc: expected the number of passes .*2\.\.1000' \
	refused repeat N=abc
expect fail ksrc-missing-before-lock "^refused before any work: .*KSRC=$work/nothing does not exist" \
	refused run KSRC="$work/nothing"
expect fail patchdirs-missing "^refused before any work: .*PATCHDIRS names $work/nothing, which is not a directory" \
	refused kernel PATCHDIRS="$work/nothing"
expect fail patchdirs-without-series "^refused before any work: .*PATCHDIRS names $work/notree, which has no series file" \
	refused soak PATCHDIRS="$work/notree"
expect fail kernel-image-missing "^refused before any work: .*KERNEL=$work/nothing: no such file" \
	refused shell KERNEL="$work/nothing"
expect fail exec-needs-cmd "^refused before any work: .*make exec CMD='" \
	refused exec
expect fail install-prefix-relative "^refused before any work: .*PREFIX='usr/local': give an absolute path" \
	refused install PREFIX=usr/local
expect fail install-destdir-relative '^refused before any work: .*DESTDIR=stage: give an absolute path' \
	refused install DESTDIR=stage
# ROOT, the 9p guest's Debian root (make root, tests/guest/root.sh): its
# values, make root without one, a goal that would ignore it, REBUILD.
expect fail root-unknown '^refused before any work: .*ROOT=bookworm: use ROOT=trixie .*ROOT=sid .*no ROOT for the host' \
	refused rdma-core ROOT=bookworm
expect fail root-needs-a-name "^refused before any work: .*make root: name the root: make root ROOT=trixie" \
	refused root
expect fail root-only-for-the-9p-guest '^refused before any work: .*ROOT=trixie: make run does not use a Debian root; only make shell, make exec, make rdma-core and make root' \
	refused run ROOT=trixie
expect fail root-rebuild-not-1 '^refused before any work: .*REBUILD=yes: use REBUILD=1' \
	refused root ROOT=sid REBUILD=yes
expect fail bad-inputs-named-at-once '^refused before any work: .*DEBUG=2: .*TIMEOUT=0: .*CRASHES=-1: .*JOBS=x: ' \
	refused run DEBUG=2 JOBS=x CRASHES=-1 TIMEOUT=0
# The pinkit command: one line naming the problem, exit 2, list and run
# alike.
expect fail pinkit-unknown-command "^exit 2, 1 line: pinkit: unknown command 'frobnicate': expected 'list', 'run' or 'soak'; see 'pinkit --help'\$" \
	one_line userspace/build/pinkit frobnicate
expect fail pinkit-list-filter-selects-nothing "^exit 2, 1 line: pinkit: --filter 'nosuch/\*' selects no case" \
	one_line userspace/build/pinkit list --filter 'nosuch/*'
expect fail pinkit-run-filter-selects-nothing "^exit 2, 1 line: pinkit: --filter 'nosuch/\*' selects no case" \
	one_line userspace/build/pinkit run --filter 'nosuch/*'
expect fail pinkit-list-kinds-with-filter "^exit 2, 1 line: pinkit: --kinds lists every kind and --filter 'x\*' selects cases: give one; see 'pinkit list --help'\$" \
	one_line userspace/build/pinkit list --kinds --filter 'x*'
expect fail pinkit-plugin-not-a-plugin "^exit 2, 1 line: pinkit: --kind-plugin userspace/build/libpinkit.a: cannot load it: .*libpinkit.a: invalid ELF header\$" \
	one_line userspace/build/pinkit list --kind-plugin userspace/build/libpinkit.a
expect fail pinkit-soak-two-bounds "^exit 2, 1 line: pinkit: --seconds 5 and --iterations 3 both bound the soak: give one; see 'pinkit soak --help'\$" \
	one_line userspace/build/pinkit soak --seconds 5 --iterations 3
expect fail ksrc-missing 'does not exist' \
	env KSRC="$work/nothing" kernel/scripts/tree.sh
expect fail ksrc-not-a-tree 'is not a Linux kernel source tree' \
	env KSRC="$work/notree" kernel/scripts/tree.sh
expect fail patch-does-not-apply '0001-mm-gup-nothing.patch does not apply .*mm/gup.c' \
	env KSRC="$fake" PATCHDIRS="$work/series" PINKIT_CACHE="$work/cache" kernel/scripts/tree.sh
expect ok series-switch-starts-pristine 'tree switched cleanly' series_switch
# Following Debian's kernels: a series that no longer applies is named with
# its patch and hunk by the check that builds nothing (make watch's engine,
# and make watch itself on a copy of the 6.12 fork series whose context no
# longer matches Debian's source) ...
expect fail applies-names-patch-and-hunk 'DOES NOT APPLY: 0001-mm-gup-nothing.patch:.*mm/gup.c: Hunk #1 FAILED' \
	bash -c "kernel/scripts/applies.sh '$fake' '$work/series' | paste -sd ' '; exit \${PIPESTATUS[0]}"
cp -r kernel/patches/6.12-fork "$work/stale-fork"
sed -i 's/^ \(\t*\)folio_unlock(folio);$/ \1folio_unlock(folio_of_another_release);/' \
	"$work"/stale-fork/0006-*.patch
expect fail watch-names-stale-patch '6.12: .*stale-fork: DOES NOT APPLY: 0006-mm-let-fork-share.*Hunk #12 FAILED' \
	bash -c "make -s watch KVER=6.12 PATCHDIRS='$work/stale-fork' 2>&1 | paste -sd ' '; exit \${PIPESTATUS[0]}"
# make watch without KVER checks every supported kernel, not the default.
watch_all()
{
	local v
	make -s watch > "$work/watch.out" 2>&1 || { cat "$work/watch.out"; return 1; }
	for v in $SUPPORTED_KVERS; do
		grep -q "^$v: kernel/patches/$v: applies" "$work/watch.out" ||
			{ echo "no line for $v"; return 1; }
	done
	echo "watch checked $SUPPORTED_KVERS"
}
expect ok watch-checks-every-kernel 'watch checked 7.3 6.12 6.1' watch_all
# ... and a build on a Debian source other than the one a series was made
# for says so before applying, and names both versions when it fails.
stale_cache()
{
	local c=$work/cache-stale
	"$PINKIT_ROOT/scripts/deps.sh" src-6.12 >/dev/null
	mkdir -p "$c/src"
	cp -a "$fake" "$c/src/linux-source-6.12"
	echo '6.12.118-1~deb12u1' > "$c/src/linux-source-6.12/.pinkit-debian-version"
	touch "$c/src/linux-source-6.12/.pinkit-unpacked"
	mkdir -p "$work/made-for-117"
	cp "$work/series"/* "$work/made-for-117/"
	sed -i '1i # debian-source: 6.12.117-1~deb12u1' "$work/made-for-117/series"
	KVER=6.12 PINKIT_CACHE=$c PATCHDIRS="$work/made-for-117" kernel/scripts/tree.sh 2>&1 |
		grep -v '^  |' | paste -sd ' '
	return "${PIPESTATUS[0]}"
}
expect fail build-names-both-versions 'made-for-117: series made for 6.12.117-1~deb12u1, Debian now ships 6.12.118-1~deb12u1 .*does not apply to linux-source-6.12 6.12.118-1~deb12u1 \(the series was made for 6.12.117-1~deb12u1\).*make rebase KVER=6.12' \
	stale_cache
expect ok ksrc-edit-is-picked-up 'edit reached the tree' ksrc_edit
mkdir -p "$work/built"
cp -a "$fake/." "$work/built/"
touch "$work/built/.config"
expect fail ksrc-built-in-place 'configured or built in place.*mrproper' \
	env KSRC="$work/built" kernel/scripts/tree.sh
expect fail package-cannot-install 'could not install: pinkit-no-such-package.*apt-get install' \
	env PINKIT_EXTRA_PKGS=pinkit-no-such-package scripts/deps.sh build
expect fail guest-panics 'kernel splat: Kernel panic' \
	env OUT="$work" CONTROL= tests/harness/run.sh panic "$kernel" "$initrd" pinkit.selftest=panic
expect fail guest-hangs 'guest timed out after 20 s' \
	env OUT="$work" CONTROL= TIMEOUT=20 tests/harness/run.sh hang "$kernel" "$initrd" pinkit.selftest=hang
expect fail suite-crashes 'the suite crashed \(killed by signal 11, after 1 of 3 results' \
	env OUT="$work" CONTROL= tests/harness/run.sh crash "$kernel" "$initrd" pinkit.selftest=crash
# Guest arguments travel in a file, not on the kernel command line: a
# filter with a comma selects both of its cases.
expect ok guest-args-keep-commas '^2 passed, 0 failed, 0 skipped' \
	env OUT="$work" CONTROL= tests/harness/run.sh args "$kernel" "$initrd" \
	'pinkit.run=--filter smoke/*,none/anon-4k/pinned-rw/cpu-write-rdma-read'
# The recorded QEMU command boots the same guest again, as is.
expect ok qemu-cmd-reruns 'PINKIT-RESULT rc=0' \
	bash -c "timeout 300 '$work/args/qemu-cmd' >/dev/null 2>&1; cat '$work/args/boot-1/console.log'"
expect fail guest-no-verdict 'no verdict: the guest stopped without reporting a result' \
	env OUT="$work" CONTROL= tests/harness/run.sh silent "$kernel" "$initrd" pinkit.selftest=silent

# A kernel crash mid-suite (pinkit.selftest=kernel-crash-after=3, test-only:
# sysrq-c once 3 results are out): the 3 results are kept, the case that was
# running is charged with the crash, the guest boots again and runs the
# cases after it.
expect fail guest-kernel-crash-resumes 'results kept, crash charged, resumed' \
	guest_crash_resumes

# A WARNING in an otherwise complete, passing run still fails it.
mkrun "$work/warn" a/b
printf '[    1.000000] WARNING: CPU: 0 PID: 1 at mm/memory.c:1 f+0x1/0x2\n' > "$work/warn/console.txt"
expect fail console-warning 'kernel splat: WARNING: CPU: 0' \
	tests/harness/verdict.sh "$work/warn" warn

# The console allowlist (tests/harness/console-allow.txt) exempts a
# message that is not a splat, and nothing else: the same run with a real
# WARNING after it still fails.
mkdir -p "$work/allow"
cp -a "$work/warn/results" "$work/allow/"
printf '[    0.100000] RETBleed: WARNING: Spectre v2 mitigation leaves CPU vulnerable to RETBleed attacks, data leaks possible!\n' \
	> "$work/allow/console.txt"
expect ok console-allowlisted-line-passes '^1 passed, 0 failed, 0 skipped' \
	env CONTROL= tests/harness/verdict.sh "$work/allow" allow
mkdir -p "$work/allow2"
cp -a "$work/allow/." "$work/allow2/"
cat "$work/warn/console.txt" >> "$work/allow2/console.txt"
expect fail console-allowlist-keeps-splats 'kernel splat: WARNING: CPU: 0' \
	env CONTROL= tests/harness/verdict.sh "$work/allow2" allow2
printf 'ere: WARNING\n' > "$work/allow-bad"
expect fail console-allowlist-entry-needs-reason 'line 1: an ere: without a why:' \
	env ALLOWLIST="$work/allow-bad" CONTROL= tests/harness/verdict.sh "$work/allow" allow

# A main pass that printed no result at all is no verdict, not "0 failed".
mkdir -p "$work/empty/results"
: > "$work/empty/results/ktap"
echo 0 > "$work/empty/results/rc"
echo "a self-test" > "$work/empty/results/plugin-skipped"
: > "$work/empty/console.txt"
expect fail empty-ktap-is-no-verdict 'no verdict: the main pass printed no KTAP plan' \
	env CONTROL= tests/harness/verdict.sh "$work/empty" empty

# make exec: the host command's output comes back and so does its exit
# status (tests/guest/run.sh, the guest on the host's root filesystem).
expect ok guest-exec-output-and-status '^status 3 ODP' \
	bash -c "out=\$(CMD='ibv_devinfo -d rxe0 -v | grep -c -i odp; exit 3' TIMEOUT=240 \
		tests/guest/run.sh exec '$kernel' '$work/exec'); echo \"status \$? \$(echo \"\$out\" | grep -q '^[1-9]' && echo ODP)\""

# A control pass that sees no corruption means the checker is blind: the
# run fails although every case of both passes "passed".
mkdir -p "$work/blind/results/control"
printf 'KTAP version 1\n1..1\nok 1 clear-refs/anon-4k/pinned-rw/cpu-write-rdma-read\n' |
	tee "$work/blind/results/ktap" > "$work/blind/results/control/ktap"
echo 0 | tee "$work/blind/results/rc" > "$work/blind/results/control/rc"
echo "a self-test" > "$work/blind/results/plugin-skipped"
: > "$work/blind/console.txt"
expect fail control-blind 'with legacy_cow on, no clear-refs case reported corruption' \
	env CONTROL=legacy_cow CONTROL_GROUPS=clear-refs tests/harness/verdict.sh "$work/blind" blind

# A control pass whose only failures are transport errors (an error
# completion, a timeout) saw no corruption: the checker proved nothing and
# the run fails, whatever words the error text contains.
mkdir -p "$work/transport/results/control"
printf 'KTAP version 1\n1..1\nok 1 clear-refs/anon-4k/pinned-rw/cpu-write-rdma-read\n' \
	> "$work/transport/results/ktap"
printf '%s\n' 'KTAP version 1' '1..2' \
	'# after clear_refs 4: an RDMA READ: work completion IBV_WC_RETRY_EXC_ERR (local and remote PSNs differ)' \
	'not ok 1 clear-refs/anon-4k/pinned-rw/cpu-write-rdma-read' \
	'# timed out after 60 s: the case process was killed (the bytes read so far differ from nothing)' \
	'not ok 2 clear-refs/anon-4k/pinned-rw/rdma-write-cpu-read' > "$work/transport/results/control/ktap"
echo 0 > "$work/transport/results/rc"
echo "a self-test" > "$work/transport/results/plugin-skipped"
echo 1 > "$work/transport/results/control/rc"
: > "$work/transport/console.txt"
expect fail control-transport-errors-only 'with legacy_cow on, no clear-refs case reported corruption' \
	env CONTROL=legacy_cow CONTROL_GROUPS=clear-refs tests/harness/verdict.sh "$work/transport" transport

# make repeat: three passes of one boot; a case that passed twice and
# failed once changed its verdict and must be named, and passes that agree
# must give an identical verdict.
mkdir -p "$work/rep/repeat/2" "$work/rep/repeat/3" "$work/same/repeat/2"
for d in "$work/rep" "$work/rep/repeat/2" "$work/same" "$work/same/repeat/2"; do
	printf 'KTAP version 1\n1..2\nok 1 a/x\nok 2 b/y # SKIP no y\n' > "$d/ktap"
done
printf 'KTAP version 1\n1..2\nnot ok 1 a/x\nok 2 b/y # SKIP no y\n' > "$work/rep/repeat/3/ktap"
expect fail repeat-verdict-changed '^# a/x pass pass FAIL$' \
	tests/harness/repeat-compare.sh "$work/rep" 3
expect ok repeat-verdicts-identical '2 cases, the same verdict in all 2 passes' \
	tests/harness/repeat-compare.sh "$work/same" 2

# Results survive the guest: a boot that crashed mid-suite wrote no results
# disk, yet every result it streamed to the console counts, the case that
# was running when the kernel oopsed is charged with the oops, and the run
# (not resumed: the next boot is missing) says how many results it lacks.
crashed_boot "$work/cr/boot-1" 3 oops
expect fail console-results-kept-after-crash \
	'not ok 4 none/anon-4k/pinned-rw/interleaved # kernel crashed: BUG: unable to handle page fault' \
	crafted_run "$work/cr" 1 'ok 3 none/anon-4k/pinned-rw/rdma-write-cpu-read' 'no verdict: the main pass reported 4 of 7 results'
# A hang with no kernel message: the case after the last result is charged
# with the boot's own failure.
crashed_boot "$work/hang/boot-1" 2 hang
expect fail hang-charged-to-its-case \
	'not ok 3 none/anon-4k/pinned-rw/rdma-write-cpu-read # kernel crashed: no kernel message; guest timed out after 300 s' \
	crafted_run "$work/hang" 1
# A WARNING in the middle of a run that went on: the case whose result
# followed it is charged, whatever it reported.
crashed_boot "$work/warn2/boot-1" 7 warn
expect fail splat-charged-to-the-running-case \
	'not ok 2 none/anon-4k/pinned-rw/cpu-write-rdma-read # kernel crashed: WARNING: CPU: 0 PID: 1 at mm/gup.c' \
	crafted_run "$work/warn2" 1 'ok 3 none/anon-4k/pinned-rw/rdma-write-cpu-read' '^6 passed, 2 failed'
# Resumed: a first boot that oopsed in case 4 and a second boot that ran
# cases 5-7 make one complete main pass of 7 results.
crashed_boot "$work/res/boot-1" 3 oops
crashed_boot "$work/res/boot-2" 3 resumed
expect fail resumed-boots-make-one-pass '^6 passed, 2 failed, 0 skipped' \
	crafted_run "$work/res" 2 '^ok 7 none/anon-4k/pinned-rw/recv-cpu-read' 'boot 1: SUITE: none/anon-4k/pinned-rw/interleaved: BUG'

# run.sh's resume loop, with fake-boot.sh for boot.sh (no QEMU): two cases
# crash the kernel, each is charged, and three boots make one complete pass;
# with CRASHES=1 the run stops after the second crash and says so.
expect fail resume-loop-two-crashes 'charged 2, 3 boots, 5 passed' \
	fake_loop loop 5 5 "${crash_cases[2]} ${crash_cases[4]}"
expect fail resume-loop-bounded 'not resuming again \(CRASHES=1\): 4 cases of the main pass did not run' \
	fake_loop loop2 1 1 "${crash_cases[1]} ${crash_cases[2]} ${crash_cases[4]}"

# A kernel that crashes while booting (Debian's stock 7.3.4 under TCG did,
# on the fifth boot of a resumed make compare) boots again; when it may not,
# the boots before it keep their results (they were lost: the stock column
# came out empty).
expect fail resume-after-boot-crash 'boot crash retried: 3 boots, 6 passed, 1 charged' \
	fake_boot_crash bootcrash 5
expect fail boot-crash-keeps-earlier-results "boot 1's results kept after a boot crash" \
	fake_boot_crash bootcrash2 1

# make compare refuses to decide on a column with holes, and shows a
# crashed case as CRASH, a failure.
mkdir -p "$work/cmp/run-7.3/results/control" "$work/cmp/stock-7.3"
printf '%s\n' 'KTAP version 1' '1..3' 'ok 1 a/x' 'ok 2 b/y' 'ok 3 control/legacy_cow/clear-refs' > "$work/cmp/run-7.3/ktap"
printf '%s\n' 'KTAP version 1' '1..2' 'ok 1 a/x' 'ok 2 b/y' | tee "$work/cmp/run-7.3/results/ktap" \
	> "$work/cmp/run-7.3/results/control/ktap"
: > "$work/cmp/stock-7.3/ktap"
expect fail compare-empty-stock-column 'the stock column .* lacks 2 of the 2 cases of the patched column' \
	bash -c "OUT='$work/cmp' RERUN=0 tests/vm/compare.sh 7.3; rc=\$?; echo exit \$rc; [ \$rc = 2 ] && exit 1"
printf '%s\n' 'KTAP version 1' '1..2' 'not ok 1 a/x' 'not ok 2 b/y # kernel crashed: BUG: x' > "$work/cmp/stock-7.3/ktap"
expect ok compare-crashed-case-reads-crash '^b/y +CRASH +pass ' \
	env OUT="$work/cmp" RERUN=0 tests/vm/compare.sh 7.3
printf '%s\n' 'KTAP version 1' '1..1' 'ok 1 a/x' > "$work/cmp/run-7.3/results/control/ktap"
expect fail compare-short-knob-column 'the knob column .* lacks 1 of the 2 cases' \
	bash -c "OUT='$work/cmp' RERUN=0 CONTROL_GROUPS='a b' tests/vm/compare.sh 7.3; rc=\$?; [ \$rc = 2 ] && exit 1"
# The control pass runs only the control groups: the other rows have no
# knob result, and that is no hole.
expect ok compare-knob-only-control-groups '^b/y +CRASH +pass +- *$' \
	env OUT="$work/cmp" RERUN=0 CONTROL_GROUPS='a' tests/vm/compare.sh 7.3

# make mm-selftests: a kselftest case that fails on the kit's kernel only,
# or has no result there, fails the comparison; one that fails on stock too
# does not, and says so.
mm=$work/mmst
mkdir -p "$mm/mm-selftests-7.3" "$mm/mm-selftests-stock-7.3"
printf '%s\n' 'KTAP version 1' '1..3' 'ok 1 kselftest/cow/a' 'not ok 2 kselftest/cow/b' \
	'not ok 3 kselftest/cow/c' > "$mm/mm-selftests-7.3/ktap"
printf '%s\n' 'KTAP version 1' '1..3' 'ok 1 kselftest/cow/a' 'not ok 2 kselftest/cow/b' \
	'ok 3 kselftest/cow/c' > "$mm/mm-selftests-stock-7.3/ktap"
expect fail mm-selftests-kit-only-failure '^kselftest/cow/c +FAIL +pass +fails on the kit only' \
	env OUT="$mm" RERUN=0 tests/vm/mm-selftests.sh 7.3
printf '%s\n' 'KTAP version 1' '1..3' 'ok 1 kselftest/cow/a' 'not ok 2 kselftest/cow/b' \
	'not ok 3 kselftest/cow/c' > "$mm/mm-selftests-stock-7.3/ktap"
expect ok mm-selftests-stock-too '^kselftest/cow/c +FAIL +FAIL +stock too' \
	env OUT="$mm" RERUN=0 tests/vm/mm-selftests.sh 7.3
printf '%s\n' 'KTAP version 1' '1..1' 'ok 1 kselftest/cow/a' > "$mm/mm-selftests-7.3/ktap"
expect fail mm-selftests-no-result-on-kit '^kselftest/cow/b +- +FAIL +no result on the kit' \
	env OUT="$mm" RERUN=0 tests/vm/mm-selftests.sh 7.3

. tests/selftest/verdict-cases.sh

echo "$pass passed, $fail failed, 0 skipped"
[ $fail = 0 ]
