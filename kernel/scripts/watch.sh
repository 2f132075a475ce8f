#!/usr/bin/env bash
# watch.sh - is the kit still in step with Debian's kernels?  (make watch)
#
# For every supported KVER: the newest linux-source-KVER that Debian offers
# in the suites that carry it (with each suite's Release date, so a stale
# list shows), the version each series was made for (its series file's
# "# debian-source:" line), and whether the series apply to that source,
# checked on the files they touch without building anything.  Then any
# linux-source newer than the newest KVER the kit supports.  Exit 1 when a
# series does not apply or a supported KVER is no longer offered; a newer
# kernel alone is news, not a failure.  KVER=x limits it to one version;
# PATCHDIRS replaces that version's series directories (as for make run).
set -eu -o pipefail
. "$(dirname "$0")/../../scripts/lib.sh"
newer=$PINKIT_ROOT/scripts/debian-newer.sh

codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
# kver_suites VER - the Debian suites that may carry linux-source-VER.
kver_suites()
{
	case $(kver_suite "$1") in
	system)	echo "$codename $codename-updates $codename-security" ;;
	*)	kver_suite "$1" ;;
	esac
}

kvers=$SUPPORTED_KVERS
if [ -n "${KVER:-}" ]; then
	check_kver "$KVER"
	kvers=$KVER
fi
[ -z "${PATCHDIRS:-}" ] || [ -n "${KVER:-}" ] ||
	die "PATCHDIRS names the series of one kernel: give KVER too (make watch KVER=6.12 PATCHDIRS=...)"

bad=0
mkdir -p "$PINKIT_CACHE"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for ver in $kvers; do
	applies=
	pkg=linux-source-$ver
	best= bsuite=
	for s in $(kver_suites "$ver"); do
		v=$("$newer" "$s" version "$pkg")
		echo "$ver: Debian $s ($("$newer" "$s" date)): ${v:-no $pkg}"
		[ -n "$v" ] || continue
		if [ -z "$best" ] || dpkg --compare-versions "$v" gt "$best"; then
			best=$v bsuite=$s
		fi
	done
	if [ -z "$best" ]; then
		echo "$ver: NOT OFFERED: no suite carries $pkg any more; port the series to a newer KVER"
		bad=1
		continue
	fi
	if [ -n "${PATCHDIRS:-}" ]; then
		read -r -a dirs <<< "$PATCHDIRS"
	else
		mapfile -t dirs < <(default_series_dirs "$ver" | sed "s|^|$PINKIT_ROOT/|")
	fi
	for d in "${dirs[@]}"; do
		echo "$ver: ${d#"$PINKIT_ROOT"/} made for $(series_made_for "$d" | grep . || echo "an unrecorded version")"
	done
	# The source to check against: the one a build would use (installed
	# or fetched, and unpacked, as make run does) when it is the newest,
	# else the newest package, fetched beside it for this check alone.
	src=$PINKIT_CACHE/src/$pkg
	pristine_source "$ver" >/dev/null
	inst=$(dpkg-query -W -f '${Version}' "$pkg" 2>/dev/null || true)
	if [ "$(kver_suite "$ver")" = system ] && [ -n "$inst" ] && [ "$inst" != "$best" ]; then
		echo "$ver: this machine has $pkg $inst installed, Debian ships $best:" \
			"builds here use $inst until apt-get install --only-upgrade $pkg"
	fi
	if [ "$(source_version "$src")" != "$best" ]; then
		dl=$PINKIT_CACHE/watch/$pkg-$best
		if ! ls "$dl"/*.deb >/dev/null 2>&1; then
			step_begin "fetching $pkg $best from Debian $bsuite to check the series against it"
			rm -rf "$PINKIT_CACHE/watch/$pkg-"*
			"$newer" "$bsuite" download "$dl" "$pkg=$best"
			step_end
		fi
		# Only the files the series touch; one the source lacks shows as
		# "no such file" below.
		rm -rf "$dl/tree"
		mkdir -p "$dl/tree"
		mapfile -t ps < <(for d in "${dirs[@]}"; do
			sed -n '/^[^#]/s|^|'"$d"'/|p' "$d/series"; done)
		files_of "${ps[@]}" | sed "s|^|$pkg/|" > "$dl/files"
		dpkg-deb --fsys-tarfile "$dl"/*.deb | tar -xOf - "./usr/src/$pkg.tar.xz" |
			tar -xJf - -C "$dl/tree" --strip-components=1 -T "$dl/files" 2>/dev/null || true
		src=$dl/tree
	fi
	"$PINKIT_ROOT/kernel/scripts/applies.sh" "$src" "${dirs[@]}" > "$out" ||
		applies=no
	sed "s|^|$ver: |" "$out"
	if [ "${applies:-}" = no ]; then
		bad=1
		how="make rebase KVER=$ver"
		[ "$(source_version "$PINKIT_CACHE/src/$pkg")" = "$best" ] ||
			[ "$(kver_suite "$ver")" != system ] ||
			how="apt-get install --only-upgrade $pkg, then make rebase KVER=$ver"
		echo "$ver: a series does not apply to $pkg $best: rebase it: $how (HACKING.md)"
	fi
done

# A kernel newer than the newest the kit supports.
top=$(echo "$SUPPORTED_KVERS" | tr ' ' '\n' | sort -V | tail -n1)
for s in trixie-backports trixie sid; do
	"$newer" "$s" search '^linux-source-[0-9]+\.[0-9]+$' | sed 's/^linux-source-//' |
		while read -r v; do
			[ "$(printf '%s\n%s\n' "$v" "$top" | sort -V | tail -n1)" = "$top" ] && continue
			echo "news: Debian $s offers linux-source-$v, newer than $top, the newest pinkit supports: port the series (HACKING.md)"
		done
done
if [ $bad = 0 ]; then
	echo "watch: every series applies to the newest Debian source of its kernel"
else
	echo "watch: FAILED: see the lines above"
fi
exit $bad
