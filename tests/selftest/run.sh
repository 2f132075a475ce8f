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

# KERNEL=bzImage boots that kernel instead of building one.
kernel=${KERNEL:-$(kernel/scripts/build.sh 2>"$work/build.log")} ||
	{ cat "$work/build.log" >&2; die "self-tests need the kernel build to work"; }
initrd=${OUT:-$PINKIT_ROOT/out}/initramfs-pinkit.gz
# These runs test the harness, not the kernel: leave out the series' kernel
# selftests that run.sh would otherwise append beside the image.
export KSELFTESTS=none
[ -f "$initrd" ] || die "$initrd is missing: run make initramfs"

echo "KTAP version 1"
# The plan: one result per expect line of this file.
echo "1..$(grep -c '^expect ' "$0")"
# The user's CFLAGS add to the flags the code needs, never replace them.
expect ok userspace-builds-with-user-cflags 'libpinkit.a' \
	bash -c "make -s -C userspace BUILD='$work/o0' CFLAGS=-O0 && ls '$work/o0'"
# The product runner is a plain loop: CUnit belongs to the unit tests only.
expect ok product-links-no-cunit 'libibverbs' \
	bash -c "ldd userspace/build/pinkit | grep -v -i cunit || exit 1; ! ldd userspace/build/pinkit | grep -qi cunit"
expect fail kver-unknown 'KVER=5.4 is not supported.*KSRC=' \
	make -s run KVER=5.4
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
	bash -c "timeout 300 '$work/args/qemu-cmd' >/dev/null 2>&1; cat '$work/args/console.log'"
expect fail guest-no-verdict 'no verdict: the guest stopped without reporting a result' \
	env OUT="$work" CONTROL= tests/harness/run.sh silent "$kernel" "$initrd" pinkit.selftest=silent

# A WARNING in an otherwise complete, passing run still fails it.
mkdir -p "$work/warn/results"
printf 'KTAP version 1\n1..1\nok 1 a/b\n' > "$work/warn/results/ktap"
echo 0 > "$work/warn/results/rc"
echo "a self-test" > "$work/warn/results/plugin-skipped"
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

echo "$pass passed, $fail failed, 0 skipped"
[ $fail = 0 ]
