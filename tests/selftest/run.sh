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

# expect_fail NAME REGEX CMD... - CMD must exit non-zero and print REGEX.
expect_fail()
{
	local name=$1 re=$2 rc
	shift 2
	n=$((n + 1))
	"$@" >"$work/out" 2>&1
	rc=$?
	if [ $rc != 0 ] && grep -Eq "$re" "$work/out"; then
		pass=$((pass + 1))
		echo "ok $n $name"
	else
		fail=$((fail + 1))
		echo "# exit status $rc; wanted non-zero and /$re/; output:"
		tail -n 15 "$work/out" | sed 's/^/#   /'
		echo "not ok $n $name"
	fi
}

# A kernel tree that is one only on the surface, and a bad patch for it.
fake=$work/linux
mkdir -p "$fake/arch/x86" "$fake/scripts/kconfig" "$fake/mm" "$work/series"
printf 'VERSION = 6\nPATCHLEVEL = 12\n' > "$fake/Makefile"
touch "$fake/Kconfig"
printf '#!/bin/sh\n' > "$fake/scripts/kconfig/merge_config.sh"
chmod +x "$fake/scripts/kconfig/merge_config.sh"
printf 'int a;\n' > "$fake/mm/gup.c"
cat > "$work/series/0001-mm-gup-nothing.patch" <<'P'
--- a/mm/gup.c
+++ b/mm/gup.c
@@ -1 +1 @@
-int b;
+int c;
P
echo 0001-mm-gup-nothing.patch > "$work/series/series"
mkdir -p "$work/notree"

kernel=$(kernel/scripts/build.sh 2>"$work/build.log") ||
	{ cat "$work/build.log" >&2; die "self-tests need the kernel build to work"; }
initrd=${OUT:-$PINKIT_ROOT/out}/initramfs-pinkit.gz
[ -f "$initrd" ] || die "$initrd is missing: run make initramfs"

echo "KTAP version 1"
echo "1..10"
expect_fail kver-unknown 'KVER=5.4 is not supported.*KSRC=' \
	make -s run KVER=5.4
expect_fail ksrc-missing 'does not exist' \
	env KSRC="$work/nothing" kernel/scripts/tree.sh
expect_fail ksrc-not-a-tree 'is not a Linux kernel source tree' \
	env KSRC="$work/notree" kernel/scripts/tree.sh
expect_fail patch-does-not-apply '0001-mm-gup-nothing.patch does not apply .*mm/gup.c' \
	env KSRC="$fake" PATCHDIRS="$work/series" PINKIT_CACHE="$work/cache" kernel/scripts/tree.sh
expect_fail package-cannot-install 'could not install: pinkit-no-such-package.*apt-get install' \
	env PINKIT_EXTRA_PKGS=pinkit-no-such-package scripts/deps.sh build
expect_fail guest-panics 'kernel splat: Kernel panic' \
	env OUT="$work" tests/vm/run.sh panic "$kernel" "$initrd" pinkit.selftest=panic
expect_fail guest-hangs 'guest timed out after 20 s' \
	env OUT="$work" TIMEOUT=20 tests/vm/run.sh hang "$kernel" "$initrd" pinkit.selftest=hang
expect_fail suite-crashes 'the suite crashed \(killed by signal 11, after 1 of 3 results' \
	env OUT="$work" tests/vm/run.sh crash "$kernel" "$initrd" pinkit.selftest=crash
expect_fail guest-no-verdict 'no verdict: the guest stopped without reporting a result' \
	env OUT="$work" tests/vm/run.sh silent "$kernel" "$initrd" pinkit.selftest=silent

# A WARNING in an otherwise complete, passing run still fails it.
mkdir -p "$work/warn/results"
printf 'KTAP version 1\n1..1\nok 1 a/b\n' > "$work/warn/results/ktap"
echo 0 > "$work/warn/results/rc"
printf '[    1.000000] WARNING: CPU: 0 PID: 1 at mm/memory.c:1 f+0x1/0x2\n' > "$work/warn/console.txt"
expect_fail console-warning 'kernel splat: WARNING: CPU: 0' \
	tests/vm/verdict.sh "$work/warn" warn

echo "$pass passed, $fail failed, 0 skipped"
[ $fail = 0 ]
