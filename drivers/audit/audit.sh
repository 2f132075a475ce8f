#!/usr/bin/env bash
# audit.sh - what `make audit` runs: pinkit-audit on DIR (driver source),
# KSRC (a kernel tree) or, by default, the pristine Debian source of KVER
# (unpacked into the cache once, as `make run` does).  The table goes to
# stdout, the JSON to $OUT/audit/<name>.json.  Exit status: 0 clean, 1 a
# held FOLL_GET reference was found, other values on errors.
#
# audit.sh --pristine VER only prints the path of the pristine source of
# VER, unpacking it first when needed (used by test.sh).
set -eu
. "$(dirname "$0")/../../scripts/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)

# pristine_src VER - the unpacked Debian source of VER (same place and
# marker as kernel/scripts/tree.sh, so both share one copy).
pristine_src()
{
	local ver=$1 tarball src
	check_kver "$ver"
	tarball=/usr/src/linux-source-$ver.tar.xz
	[ -f "$tarball" ] || "$PINKIT_ROOT/scripts/deps.sh" "src-$ver" >&2
	[ -f "$tarball" ] || die "$tarball is missing although linux-source-$ver" \
		"is installed; reinstall it: apt-get install --reinstall linux-source-$ver"
	src=$PINKIT_CACHE/src/linux-source-$ver
	if [ ! -f "$src/.pinkit-unpacked" ] || [ "$tarball" -nt "$src/.pinkit-unpacked" ]; then
		step_begin "unpacking $tarball into $src"
		rm -rf "$src" "$src.tmp"
		mkdir -p "$src.tmp"
		tar -xJf "$tarball" -C "$src.tmp" --strip-components=1
		mv "$src.tmp" "$src"
		touch "$src/.pinkit-unpacked"
		step_end
	fi
	echo "$src"
}

if [ "${1:-}" = --pristine ]; then
	pristine_src "${2:-6.12}"
	exit 0
fi

if [ -n "${DIR:-}" ]; then
	[ -e "$DIR" ] || die "DIR=$DIR does not exist; point DIR at a driver" \
		"source directory (or one .c file)"
	target=(--dir "$DIR")
	name=dir-$(basename "$(cd "$(dirname "$DIR")" && pwd)/$(basename "$DIR")" .c)
elif [ -n "${KSRC:-}" ]; then
	[ -d "$KSRC" ] || die "KSRC=$KSRC does not exist; point KSRC at a kernel source tree"
	if [ ! -f "$KSRC/Makefile" ] || [ ! -d "$KSRC/mm" ]; then
		die "KSRC=$KSRC is not a Linux kernel source tree (no Makefile or mm/);" \
			"point KSRC at the top of one, or use DIR= for driver source"
	fi
	target=(--ksrc "$KSRC")
	name=ksrc-$(cd "$KSRC" && pwd | sha256sum | cut -c1-12)
else
	ver=${KVER:-6.12}
	target=(--ksrc "$(pristine_src "$ver")")
	name=linux-source-$ver
fi
json=${OUT:-$PINKIT_ROOT/out}/audit/$name.json
# shellcheck disable=SC2086
exec "$here/pinkit-audit" "${target[@]}" --json "$json" ${AUDIT_ARGS:-}
