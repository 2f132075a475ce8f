#!/usr/bin/env bash
# audit.sh - what `make audit` runs: pinkit-audit on DIR (driver source),
# KSRC (a kernel tree) or, by default, the pristine Debian source of KVER
# (unpacked into the cache once, as `make run` does).  The table goes to
# stdout, the JSON to $OUT/audit/<name>.json.  Exit status: 0 clean, 1 a
# held FOLL_GET reference was found, other values on errors.  (`make audit`
# itself exits 2 on both, as make does for any failed recipe: gate a CI on
# this script.)
#
# audit.sh --pristine VER only prints the path of the pristine source of
# VER, unpacking it first when needed (scripts/lib.sh's pristine_source,
# the same copy kernel/scripts/tree.sh uses; used by test.sh).
set -eu
. "$(dirname "$0")/../../scripts/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
KVER_DEFAULT=7.3	# as the Makefile's KVER

if [ "${1:-}" = --pristine ]; then
	pristine_source "${2:-$KVER_DEFAULT}"
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
	ver=${KVER:-$KVER_DEFAULT}
	target=(--ksrc "$(pristine_source "$ver")")
	name=linux-source-$ver
fi
json=${OUT:-$PINKIT_ROOT/out}/audit/$name.json
# shellcheck disable=SC2086
exec "$here/pinkit-audit" "${target[@]}" --json "$json" ${AUDIT_ARGS:-}
