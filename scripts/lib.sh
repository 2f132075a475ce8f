# shellcheck shell=bash
# Common helpers for pinkit's orchestration scripts: errors, timed steps,
# the cache location and the kernel version table.  Sourced, never run.

PINKIT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PINKIT_CACHE=${PINKIT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pinkit}
# Mainline first: KVER defaults to the first of these.
SUPPORTED_KVERS="7.3 6.12 6.1"
DEFAULT_KVER=7.3

# The versions whose fork() copies series (kernel/patches/<ver>-fork,
# issue 13) is part of the default build.  A version joins once the series
# has been built after each of its patches (make each-patch) and has run
# the whole suite, its control pass and the soak there; elsewhere it is
# applied only through PATCHDIRS.
FORK_DEFAULT_KVERS="7.3 6.12"

# The case groups (first part of a case name) in which the negative
# control (CONTROL=legacy_cow) must show corruption: the verdict judges
# these (tests/harness/verdict.sh), and the guest's control pass of a run
# without an ARGS filter runs only these (tests/harness/init.sh).
CONTROL_GROUPS_DEFAULT="clear-refs mprotect-ro-rw uffd-wp fork-parent-writes"

# default_series_dirs VER - the series directories a build of VER applies
# when PATCHDIRS is not given, relative to the pinkit root, in order: the
# core series, the fork() series where it is a default, the kit-only test
# patches of the core (kernel/patches/<ver>-kit: switches such as the
# negative control, never sent upstream), the drivers, and the drivers'
# kit-only patches (drivers/patches/<ver>-kit).  A directory that does not
# exist is left out.
default_series_dirs()
{
	local ver=$1 d
	for d in "kernel/patches/$ver" "kernel/patches/$ver-fork" "kernel/patches/$ver-kit" \
		 "drivers/patches/$ver" "drivers/patches/$ver-kit"; do
		case $d in
		*-fork)	case " $FORK_DEFAULT_KVERS " in
			*" $ver "*) ;;
			*) continue ;;
			esac ;;
		esac
		[ -f "$PINKIT_ROOT/$d/series" ] && echo "$d"
	done
	return 0
}

# die MSG... - print "pinkit: error: MSG" on stderr and exit 1.
die()
{
	printf 'pinkit: error: %s\n' "$*" >&2
	exit 1
}

note()
{
	printf 'pinkit: %s\n' "$*" >&2
}

# step_begin WHAT / step_end - announce a long step and report its duration.
step_begin()
{
	_step_what=$1
	_step_t0=$(date +%s.%N)
	printf 'pinkit: %s ...\n' "$_step_what" >&2
}

step_end()
{
	local t1
	t1=$(date +%s.%N)
	awk -v w="$_step_what" -v a="$_step_t0" -v b="$t1" \
		'BEGIN { printf "pinkit: %s done in %.1f s\n", w, b - a }' >&2
}

# check_kver VER - fail with the supported list unless VER is one of them.
check_kver()
{
	local v
	for v in $SUPPORTED_KVERS; do
		[ "$1" = "$v" ] && return 0
	done
	die "KVER=$1 is not supported: use KVER=7.3 (default), KVER=6.12 or KVER=6.1," \
		"or KSRC=/path/to/a/kernel/tree for any other kernel source"
}

# is_kernel_tree DIR - true when DIR looks like a Linux source tree.
is_kernel_tree()
{
	[ -f "$1/Makefile" ] && [ -f "$1/Kconfig" ] && [ -d "$1/arch/x86" ] &&
		[ -x "$1/scripts/kconfig/merge_config.sh" ] &&
		grep -q '^PATCHLEVEL = ' "$1/Makefile"
}

# check_ksrc DIR [any] - fail unless DIR is a Linux source tree a build can
# use: there, not configured or built in place (any: built in place is fine,
# for a tree that is only read).
check_ksrc()
{
	[ -d "$1" ] || die "KSRC=$1 does not exist; point KSRC at a Linux source tree"
	is_kernel_tree "$1" || die "KSRC=$1 is not a Linux kernel source tree" \
		"(no Makefile with PATCHLEVEL, Kconfig, arch/x86 or" \
		"scripts/kconfig/merge_config.sh); point KSRC at the top of one"
	[ "${2:-}" = any ] && return 0
	if [ -f "$1/.config" ] || [ -d "$1/include/config" ]; then
		die "KSRC=$1 has been configured or built in place, so an out-of-tree" \
			"build refuses it; run 'make mrproper' there or use a clean tree"
	fi
	return 0
}

# check_patchdirs DIR... - fail unless every DIR is a series directory (a
# directory with a series file).
check_patchdirs()
{
	local d
	for d; do
		[ -d "$d" ] || die "PATCHDIRS names $d, which is not a directory;" \
			"give series directories such as PATCHDIRS=kernel/patches/7.3"
		[ -f "$d/series" ] || die "PATCHDIRS names $d, which has no series file" \
			"(one patch name a line, in order); give series directories" \
			"such as PATCHDIRS=kernel/patches/7.3"
	done
	return 0
}

# check_patches VALUE - fail unless VALUE is a PATCHES pinkit knows: none
# (no series) or empty (the default series, or PATCHDIRS).
check_patches()
{
	case $1 in
	'' | none) return 0 ;;
	esac
	die "PATCHES=$1 is not a value pinkit knows: PATCHES=none builds the" \
		"kernel without any series (and without the control pass), no PATCHES" \
		"the kit's series; PATCHDIRS=dir... applies other series"
}

# check_debug VALUE - fail unless VALUE is a DEBUG pinkit knows.
check_debug()
{
	case $1 in
	'' | 0 | 1 | kasan) return 0 ;;
	esac
	die "DEBUG=$1: use DEBUG=1 (DEBUG_VM, PROVE_LOCKING, ...) or DEBUG=kasan" \
		"(the same plus KASAN), or no DEBUG"
}

# kver_suite VER - the Debian suite that carries linux-source-VER and its
# prebuilt kernel: "system" for the system's own (bookworm) archive, else a
# newer suite reached through scripts/debian-newer.sh.
kver_suite()
{
	case $1 in
	7.3)	echo trixie-backports ;;
	*)	echo system ;;
	esac
}

# pristine_source VER - unpack Debian's linux-source-VER once into the cache
# (installing or downloading the package first) and print the tree's path.
pristine_source()
{
	local ver=$1 suite tarball src
	check_kver "$ver"
	suite=$(kver_suite "$ver")
	if [ "$suite" = system ]; then
		tarball=/usr/src/linux-source-$ver.tar.xz
		[ -f "$tarball" ] || "$PINKIT_ROOT/scripts/deps.sh" "src-$ver" >&2
		[ -f "$tarball" ] || die "$tarball is missing although linux-source-$ver" \
			"is installed; reinstall it: apt-get install --reinstall linux-source-$ver"
	else
		tarball=$PINKIT_CACHE/debs/linux-source-$ver/usr/src/linux-source-$ver.tar.xz
		# The kit keeps this package itself: follow the suite when it
		# moves on (its lists are read at most every ten hours).
		if [ -f "$tarball" ]; then
			local offered had
			had=$(package_version "$tarball")
			if ! offered=$("$PINKIT_ROOT/scripts/debian-newer.sh" "$suite" version \
					"linux-source-$ver" 2>/dev/null); then
				note "could not read Debian $suite's lists: building on the cached linux-source-$ver $had"
			elif [ -n "$offered" ] && [ "$offered" != "$had" ]; then
				note "Debian $suite now ships linux-source-$ver $offered (the cache has $had): fetching it"
				rm -f "$tarball"
			fi
		fi
		if [ ! -f "$tarball" ]; then
			fetch_newer_source "$ver" "$suite"
		fi
	fi
	src=$PINKIT_CACHE/src/linux-source-$ver
	# Unpacked again when the package changed: judged by its version (apt
	# keeps the tarball's mtime, the package's build date).
	if [ ! -f "$src/.pinkit-unpacked" ] ||
	   [ "$(package_version "$tarball")" != "$(source_version "$src")" ]; then
		step_begin "unpacking $tarball into $src"
		rm -rf "$src" "$src.tmp"
		mkdir -p "$src.tmp"
		tar -xJf "$tarball" -C "$src.tmp" --strip-components=1
		package_version "$tarball" > "$src.tmp/.pinkit-debian-version"
		mv "$src.tmp" "$src"
		touch "$src/.pinkit-unpacked"
		step_end
	fi
	echo "$src"
}

# package_version TARBALL - the Debian version of the linux-source package
# that installed TARBALL (.../usr/src/linux-source-VER.tar.xz), read from
# the package's changelog beside it ("unknown" when there is none).
package_version()
{
	local root=${1%/usr/src/*} name
	name=$(basename "$1" .tar.xz)
	zcat "$root/usr/share/doc/$name/changelog.Debian.gz" 2>/dev/null |
		sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' | grep . || echo unknown
}

# source_version SRC - the Debian version a pristine source tree came from
# (pristine_source records it), or nothing for a tree of the user's (KSRC).
source_version()
{
	cat "$1/.pinkit-debian-version" 2>/dev/null || true
}

# series_made_for DIR - the Debian source version the series in DIR was
# made and tested on: its series file's "# debian-source: VERSION" line.
series_made_for()
{
	sed -n 's/^# debian-source:[[:space:]]*//p' "$1/series" 2>/dev/null | head -n1
}

# system_mirror [security] - the URI of the system's Debian archive (or,
# with "security", of its security archive), from one-line or deb822
# sources; deb.debian.org when none is found.
system_mirror()
{
	local uri sec=${1:-}
	uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		awk -v sec="$sec" '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^(https?|file):/) {
			if (($i ~ /security/) == (sec != "")) { print $i; exit } } }')
	[ -n "$uri" ] || uri=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
		awk -v sec="$sec" '/^URIs:/ { for (i = 2; i <= NF; i++)
			if (($i ~ /security/) == (sec != "")) { print $i; exit } }')
	if [ -n "$sec" ]; then
		echo "${uri:-http://deb.debian.org/debian-security}"
	else
		echo "${uri:-http://deb.debian.org/debian}"
	fi
}

# fetch_newer_source VER SUITE - download linux-source-VER from SUITE and
# unpack the package (not the tarball inside it) into the cache.
fetch_newer_source()
{
	local ver=$1 suite=$2 dir=$PINKIT_CACHE/debs/linux-source-$1 newer found
	newer=$PINKIT_ROOT/scripts/debian-newer.sh
	found=$("$newer" "$suite" search "^linux-source-${ver//./\\.}\$") ||
		die "could not read the package lists of Debian $suite (see above)"
	[ -n "$found" ] ||
		die "Debian $suite no longer carries linux-source-$ver; use a newer KVER" \
			"(pinkit supports: $SUPPORTED_KVERS) or KSRC=/path/to/a/linux-$ver tree"
	step_begin "downloading linux-source-$ver from Debian $suite"
	# Into a new directory, swapped in only once the package is unpacked.
	rm -rf "$dir.new"
	"$newer" "$suite" download "$dir.new/deb" "linux-source-$ver" || exit 1
	dpkg-deb -x "$dir.new"/deb/*.deb "$dir.new" ||
		die "could not unpack $(ls "$dir.new"/deb/*.deb) (downloaded from Debian $suite)"
	rm -rf "$dir.new/deb" "$dir"
	mv "$dir.new" "$dir"
	step_end
}

# wait_timeout PID SECONDS - true once the child PID has ended (its status is
# left for `wait PID`), false if it still runs after SECONDS.
wait_timeout()
{
	local i
	for ((i = 0; i < $2 * 5; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.2
	done
	! kill -0 "$1" 2>/dev/null
}

# files_of PATCH... - the source files a patch series creates or changes.
files_of()
{
	[ $# -eq 0 ] && return 0
	sed -n 's|^+++ b/||p; s|^--- a/||p' "$@" | sed 's/[[:space:]].*//' |
		grep -v '^/dev/null$' | sort -u
}

# hash_files FILE... - one sha256 over the names and contents of FILEs.
hash_files()
{
	local f
	for f in "$@"; do
		printf '%s\n' "$(basename "$f")"
		cat "$f"
	done | sha256sum | cut -c1-16
}
