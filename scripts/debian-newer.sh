#!/usr/bin/env bash
# debian-newer.sh SUITE search REGEX      - package names in SUITE matching REGEX
# debian-newer.sh SUITE download DIR PKG... - download PKGs of SUITE into DIR
# debian-newer.sh SUITE version PKG        - the newest version of PKG in SUITE
# debian-newer.sh SUITE date               - the date of SUITE's Release file
#
# Packages from a Debian suite newer than the system's (trixie-backports
# for Linux 7.3), fetched through a sources list and apt state private to
# the kit's cache: same mirror as the system's apt, Debian's archive
# keyring, and the system's apt configuration untouched.  The package
# lists are refreshed when older than ten hours.
set -eu
. "$(dirname "$0")/lib.sh"

[ $# -ge 2 ] || die "usage: debian-newer.sh SUITE search REGEX | SUITE download DIR PKG... | SUITE version PKG | SUITE date"
suite=$1 cmd=$2
shift 2
state=$PINKIT_CACHE/apt/$suite
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

apt_opts=(-o "Dir::Etc::SourceList=$state/sources.list" -o "Dir::Etc::SourceParts=/nonexistent"
	-o "Dir::State::Lists=$state/lists" -o "Dir::State::status=$state/status"
	-o "Dir::Cache=$state/cache" -o "APT::Get::List-Cleanup=0" -o "Debug::NoLocking=1")

mkdir -p "$state/lists/partial" "$state/cache/archives/partial"
# One reader or writer of this suite's state at a time.
exec 8>"$state/lock"
flock 8
[ -f "$keyring" ] || "$PINKIT_ROOT/scripts/deps.sh" keyring
case $suite in
*-security)	mirror=$(system_mirror security) ;;
*)		mirror=$(system_mirror) ;;
esac
printf 'deb [signed-by=%s] %s %s main\n' "$keyring" "$mirror" "$suite" \
	> "$state/sources.list.new"
cmp -s "$state/sources.list.new" "$state/sources.list" ||
	{ mv "$state/sources.list.new" "$state/sources.list"; rm -f "$state/updated"; }
rm -f "$state/sources.list.new"
: > "$state/status"
if [ -z "$(find "$state/updated" -mmin -600 2>/dev/null)" ]; then
	step_begin "reading the package lists of Debian $suite ($mirror)"
	# --error-on=any: a list that could not be fetched is an error, not
	# a warning beside an old list.
	apt-get "${apt_opts[@]}" -qq --error-on=any update >"$state/update.log" 2>&1 ||
		die "apt-get update of Debian $suite failed (see $state/update.log);" \
			"check that $mirror is reachable"
	touch "$state/updated"
	step_end
fi

case $cmd in
version)
	# The newest version of package $1 in SUITE, nothing when it has none.
	apt-cache "${apt_opts[@]}" show "$1" 2>/dev/null | sed -n 's/^Version: //p' |
		sort -V | tail -n1 ;;
date)
	# The date of SUITE's Release file: how fresh the lists are.
	sed -n 's/^Date: //p' "$state"/lists/*_InRelease 2>/dev/null | head -n1 ;;
search)
	apt-cache "${apt_opts[@]}" search --names-only "$1" | awk '{ print $1 }' | sort -V ;;
download)
	dir=$1
	shift
	mkdir -p "$dir"
	# apt's _apt user cannot write to root's cache: download as root.
	(cd "$dir" && apt-get "${apt_opts[@]}" -q -o APT::Sandbox::User=root \
		download "$@") >"$state/download.log" 2>&1 ||
		die "apt-get download $* from Debian $suite failed (see $state/download.log)" ;;
*)
	die "debian-newer.sh: unknown command '$cmd'" ;;
esac
