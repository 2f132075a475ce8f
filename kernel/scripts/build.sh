#!/usr/bin/env bash
# build.sh - prepare the tree, configure and build bzImage out of tree with
# ccache; copy it to $OUT/bzImage-<tree>-<flavor> and print that path.
# Env: KVER / KSRC / PATCHES (see tree.sh), DEBUG=1 for the debug options,
# DEBUG=kasan for those plus KASAN.
set -eu
. "$(dirname "$0")/../../scripts/lib.sh"

# Bad input is reported at once, not after the package check or waiting
# for another build (make checks it before this: scripts/check-inputs.sh).
[ -n "${KSRC:-}" ] || check_kver "${KVER:-$DEFAULT_KVER}"
check_debug "${DEBUG:-}"
check_patches "${PATCHES:-}"
[ -z "${KSRC:-}" ] || check_ksrc "$KSRC"
# shellcheck disable=SC2086 # PATCHDIRS is a blank-separated list
[ -z "${PATCHDIRS:-}" ] || check_patchdirs $PATCHDIRS

"$PINKIT_ROOT/scripts/deps.sh" kernel

# One kernel build at a time: the patched trees and build directories are
# shared by every run on this machine.  The image is copied out under the
# lock so that a later build cannot change it under a booting guest.
mkdir -p "$PINKIT_CACHE"
exec 9>"$PINKIT_CACHE/build.lock"
if ! flock -n 9; then
	note "waiting for another pinkit kernel build to finish ($PINKIT_CACHE/build.lock)"
	flock 9
fi

tree=$("$(dirname "$0")/tree.sh")
ver=$(sed -n 's/^VERSION = //p' "$tree/Makefile" | head -n1).$(sed -n 's/^PATCHLEVEL = //p' "$tree/Makefile" | head -n1)

flavor=default
frags=("$PINKIT_ROOT/Kconfig.snippet")
[ -f "$PINKIT_ROOT/kernel/config/$ver.snippet" ] &&
	frags+=("$PINKIT_ROOT/kernel/config/$ver.snippet")
# Config lines that only exist with a series applied live beside it.
while read -r d; do
	[ -n "$d" ] && [ -f "$d/config.snippet" ] && frags+=("$d/config.snippet")
done < "$tree/.pinkit-series-dirs"
case ${DEBUG:-0} in
0)	;;
1)	flavor=debug
	frags+=("$PINKIT_ROOT/kernel/config/debug.snippet") ;;
kasan)	flavor=kasan
	frags+=("$PINKIT_ROOT/kernel/config/debug.snippet" "$PINKIT_ROOT/kernel/config/kasan.snippet") ;;
esac
build=$PINKIT_CACHE/build/$(basename "$tree")-$flavor

"$(dirname "$0")/config.sh" "$tree" "$build" "${frags[@]}"

export CCACHE_DIR=${CCACHE_DIR:-$PINKIT_CACHE/ccache}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
export KBUILD_BUILD_USER=pinkit KBUILD_BUILD_HOST=pinkit
export KBUILD_BUILD_TIMESTAMP='2026-01-01 00:00:00'
jobs=${JOBS:-$(nproc)}
started=$(date -u +%Y-%m-%dT%H:%M:%SZ) t_start=$(date +%s.%N)
step_begin "building bzImage for linux-$ver ($flavor) in $build with -j$jobs"
ccache -z >/dev/null 2>&1 || true
# awk writes a generated header that much of the kernel includes
# (cpufeaturemasks.h on 7.3), and gawk's output differs from mawk's: a
# package that brings gawk (lava-dispatcher does) would otherwise rebuild
# every cached tree once.  mawk is Debian's required awk, so it is there.
awk=()
command -v mawk >/dev/null && awk=(AWK=mawk)
# Not make -s: the progress lines below count the build log's CC lines.
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	make -C "$tree" O="$build" ARCH=x86_64 CC="ccache gcc" "${awk[@]}" -j"$jobs" bzImage \
	>"$build/build.log" 2>&1 &
pid=$!
# A cold build takes minutes: say every 30 s how far it got.
t0=$SECONDS
while ! wait_timeout "$pid" 30; do
	note "  ... $((SECONDS - t0)) s: $(grep -c '^  CC ' "$build/build.log") files compiled," \
		"now $(grep '^  [A-Z]' "$build/build.log" | tail -n1 | awk '{ print $2 }')"
done
if ! wait "$pid"; then
	grep -E -B2 -A6 'error:|Error [0-9]' "$build/build.log" | tail -n 40 >&2
	die "kernel build failed; full log: $build/build.log"
fi
step_end
if [ "${V:-0}" = 1 ] || grep -q 'warning:' "$build/build.log"; then
	grep 'warning:' "$build/build.log" | sort -u | sed 's/^/  /' >&2 || true
fi
hits=$(ccache -s 2>/dev/null | grep -m1 -i 'hits:' | tr -s ' ')
note "ccache:${hits:- no statistics}"
img=${OUT:-$PINKIT_ROOT/out}/bzImage-$(basename "$build")
mkdir -p "$(dirname "$img")"
cp "$build/arch/x86/boot/bzImage" "$img.tmp"
# The record below describes the new image only: the old one goes first.
rm -f "$img.info"
mv "$img.tmp" "$img"
"$(dirname "$0")/selftests.sh" "$tree" "$build" "$img"
# make mm-selftests: the kernel's own mm selftests of this tree as well.
[ -z "${MM_SELFTESTS:-}" ] ||
	"$(dirname "$0")/selftests.sh" --list "$PINKIT_ROOT/tests/vm/mm-selftests.list" \
		"$tree" "$build" "$img.mm-selftests.gz"

# What a KCIDB document says of this build (tests/kcidb/): the source and
# its Debian version, the patches applied in order and their patchset hash
# (sha256 over the newline-terminated sha256 of each patch, KCIDB's rule),
# the configuration, the compiler and the duration of this build step.
series=()
while read -r d; do
	[ -f "$d/series" ] || continue
	while read -r p; do
		case $p in ''|'#'*) continue ;; esac
		series+=("$d/$p")
	done < "$d/series"
done < "$tree/.pinkit-series-dirs"
if [ -n "${KSRC:-}" ]; then
	src=$KSRC srcver=
else
	src=linux-source-$ver srcver=$(source_version "$PINKIT_CACHE/src/linux-source-$ver")
fi
{
	echo "kver=$ver"
	echo "flavor=$flavor"
	echo "source=$src"
	echo "source_version=$srcver"
	echo "config=tinyconfig$(for f in "${frags[@]}"; do printf "+%s" "${f#"$PINKIT_ROOT"/}"; done)"
	echo "compiler=$(gcc --version | head -n1)"
	echo "start_time=$started"
	echo "duration=$(awk -v a="$t_start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')"
	echo "image_sha256=$(sha256sum "$img" | cut -c1-64)"
	if [ ${#series[@]} -gt 0 ]; then
		echo "patchset_hash=$(sha256sum "${series[@]}" | cut -c1-64 | sha256sum | cut -c1-64)"
	else
		echo "patchset_hash="
	fi
	for p in "${series[@]}"; do echo "patch=${p#"$PINKIT_ROOT"/}"; done
} > "$img.info.tmp"
mv "$img.info.tmp" "$img.info"
echo "$img"
